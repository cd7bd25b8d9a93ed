import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { channelAvailability, listOutbox } from './availability.service.ts';
import {
  availabilityOutput,
  availabilityQuery,
  bufferOutput,
  bufferParams,
  channelOutput,
  createChannelBody,
  outboxOutput,
  outboxQuery,
  setBufferBody,
  updateChannelBody,
} from './channels.schema.ts';
import { createChannel, getChannel, listChannels, setChannelBuffer, updateChannel } from './channels.service.ts';
import { toChannelJson, toOrderJson } from './orders.mapper.ts';
import { cancelOrderBody, createOrderBody, listOrdersQuery, orderOutput, orderPage } from './orders.schema.ts';
import { allocateOrder, cancelOrder, confirmOrder, createOrder, getOrder, listOrders } from './orders.service.ts';
import { z } from 'zod';

export function registerOrderRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/channels', {
    schema: { tags: ['channels'], summary: 'Create a sales channel', body: createChannelBody, response: { 201: channelOutput } },
    config: { access: { permission: 'channels.write' }, errors: ['channel_invalid', 'location_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toChannelJson(await createChannel(ctx, request.body)), { status: 201, targets: (c) => [{ type: 'channel', id: c.id }] }),
  });

  app.get('/api/v1/channels', {
    schema: { tags: ['channels'], summary: 'Sales channels', response: { 200: z.object({ data: z.array(channelOutput) }) } },
    config: { access: { permission: 'orders.read' }, errors: [] },
    handler: async (request) => ({ data: (await listChannels(contextOf(deps, request))).map(toChannelJson) }),
  });

  app.get('/api/v1/channels/:id', {
    schema: { tags: ['channels'], summary: 'One sales channel', params: idParams('chn'), response: { 200: channelOutput } },
    config: { access: { permission: 'orders.read' }, errors: ['channel_not_found'] },
    handler: async (request) => toChannelJson(await getChannel(contextOf(deps, request), request.params.id)),
  });

  app.patch('/api/v1/channels/:id', {
    schema: { tags: ['channels'], summary: 'Change a sales channel', params: idParams('chn'), body: updateChannelBody, response: { 200: channelOutput } },
    config: { access: { permission: 'channels.write' }, errors: ['channel_invalid', 'channel_not_found', 'location_not_found', 'sale_line_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toChannelJson(await updateChannel(ctx, request.params.id, request.body)), { targets: (c) => [{ type: 'channel', id: c.id }] }),
  });

  app.put('/api/v1/channels/:id/buffers/:item_id', {
    schema: {
      tags: ['channels'],
      summary: 'Hold some stock of an item back from a channel (safety stock)',
      params: bufferParams,
      body: setBufferBody,
      response: { 200: bufferOutput },
    },
    config: { access: { permission: 'channels.write' }, errors: ['channel_invalid', 'channel_not_found', 'sale_line_invalid'] },
    handler: (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const result = await setChannelBuffer(ctx, request.params.id, request.params.item_id, request.body.qty);
          return { channel_id: request.params.id, item_id: request.params.item_id, buffer: quantityToNumber(result.buffer), available: quantityToNumber(result.available) };
        },
        { targets: () => [{ type: 'channel', id: request.params.id }] },
      ),
  });

  app.get('/api/v1/channels/:id/availability', {
    schema: {
      tags: ['channels'],
      summary: 'Available to sell per item on a channel',
      description:
        'Over the channel’s sites’ stock bins: on hand less reserved (a bin below zero counts as nothing), less the channel’s buffer, never below zero. A bundle or recipe is the whole units its scarcest part allows, part buffers held back, less its own buffer.',
      params: idParams('chn'),
      querystring: availabilityQuery,
      response: { 200: availabilityOutput },
    },
    config: { access: { permission: 'orders.read' }, errors: ['channel_not_found', 'sale_line_invalid'] },
    handler: async (request) => {
      const page = await channelAvailability(contextOf(deps, request), request.params.id, { itemId: request.query.item_id, limit: request.query.limit, cursor: request.query.cursor });
      return {
        channel_id: request.params.id,
        data: page.lines.map((l) => ({
          item_id: l.itemId,
          sku: l.sku,
          name: l.name,
          bundle: l.bundle,
          on_hand_available: quantityToNumber(l.onHandAvailable),
          buffer: quantityToNumber(l.buffer),
          available: quantityToNumber(l.available),
        })),
        next_cursor: page.nextCursor,
      };
    },
  });

  app.get('/api/v1/outbox', {
    schema: {
      tags: ['channels'],
      summary: 'Outbox events waiting to be delivered (for inspection)',
      description: '`stock.availability_changed` per channel and item; `seq` numbers each item’s events in commit order.',
      querystring: outboxQuery,
      response: { 200: outboxOutput },
    },
    config: { access: { permission: 'orders.read' }, errors: [] },
    handler: async (request) => {
      const q = request.query;
      const page = await listOutbox(contextOf(deps, request), { after: q.after, itemId: q.item_id, channelId: q.channel_id, limit: q.limit });
      return {
        data: page.events.map((e) => ({
          id: e.id,
          topic: e.topic,
          channel_id: e.channel_id,
          item_id: e.item_id,
          seq: e.seq,
          payload: JSON.parse(e.payload) as Record<string, unknown>,
          created_at: toIso(e.created_at),
          delivered_at: toIsoOrNull(e.delivered_at),
        })),
        next_after: page.nextAfter,
      };
    },
  });

  app.post('/api/v1/orders', {
    schema: {
      tags: ['orders'],
      summary: 'Take an online order: reserves its stock at once',
      description:
        'The channel’s order id de-duplicates: sending it again answers 200 with the order already taken. ' +
        'An order the channel’s sites cannot cover is refused with 409 insufficient_stock, or accepted with back-ordered lines where the channel allows it.',
      body: createOrderBody,
      response: { 201: orderOutput, 200: orderOutput },
    },
    config: { access: { permission: 'orders.write' }, errors: ['channel_invalid', 'channel_not_found', 'currency_mismatch', 'insufficient_stock', 'item_not_stockable', 'lot_invalid', 'lot_required', 'order_invalid', 'order_not_found', 'reservation_invalid', 'reservation_not_found', 'sale_line_invalid'] },
    handler: (request, reply) => {
      let created = false;
      return runCommand(
        deps,
        request,
        reply,
        async (ctx) => {
          const taken = await createOrder(ctx, request.body);
          created = taken.created;
          return toOrderJson(taken.record);
        },
        { status: () => (created ? 201 : 200), targets: (o) => [{ type: 'order', id: o.id }] },
      );
    },
  });

  app.get('/api/v1/orders/:id', {
    schema: { tags: ['orders'], summary: 'One order, with what each line has reserved, packed, shipped and delivered', params: idParams('ord'), response: { 200: orderOutput } },
    config: { access: { permission: 'orders.read' }, errors: ['order_not_found'] },
    handler: async (request) => toOrderJson(await getOrder(contextOf(deps, request), request.params.id)),
  });

  app.get('/api/v1/orders', {
    schema: { tags: ['orders'], summary: 'Orders, newest first', querystring: listOrdersQuery, response: { 200: orderPage } },
    config: { access: { permission: 'orders.read' }, errors: [] },
    handler: async (request) => {
      const q = request.query;
      const page = await listOrders(contextOf(deps, request), { channelId: q.channel_id, status: q.status, limit: q.limit, cursor: q.cursor });
      return { data: page.records.map(toOrderJson), next_cursor: page.nextCursor };
    },
  });

  const orderCommand = (path: string, summary: string, run: typeof allocateOrder, errors: readonly string[]) =>
    app.post(path, {
      schema: { tags: ['orders'], summary, params: idParams('ord'), response: { 200: orderOutput } },
      config: { access: { permission: 'orders.write' }, errors },
      handler: (request, reply) =>
        runCommand(deps, request, reply, async (ctx) => toOrderJson(await run(ctx, request.params.id)), { targets: (o) => [{ type: 'order', id: o.id }] }),
    });
  orderCommand('/api/v1/orders/:id/allocate', 'Try again to reserve stock for back-ordered lines', allocateOrder, ['channel_not_found', 'insufficient_stock', 'item_not_stockable', 'lot_invalid', 'lot_required', 'order_not_found', 'order_not_open', 'reservation_invalid', 'reservation_not_found']);
  orderCommand('/api/v1/orders/:id/confirm', 'Confirm (paid): the order’s reservations no longer lapse', confirmOrder, ['order_not_found', 'order_not_open']);

  app.post('/api/v1/orders/:id/cancel', {
    schema: {
      tags: ['orders'],
      summary: 'Cancel an order, or some of its quantities, releasing their reservations',
      params: idParams('ord'),
      body: cancelOrderBody,
      response: { 200: orderOutput },
    },
    config: { access: { permission: 'orders.write' }, errors: ['order_conflict', 'order_invalid', 'order_not_found', 'order_not_open', 'reservation_invalid', 'reservation_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toOrderJson(await cancelOrder(ctx, request.params.id, request.body)), { targets: (o) => [{ type: 'order', id: o.id }] }),
  });
}
