import { z } from 'zod';
import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { lotOrNull } from '../ledger/index.ts';
import { packBody, pickListOutput, shipBody, shipmentOutput } from './fulfillment.schema.ts';
import { createPickLists, getPickList, listPickListsOfOrder, markPicked, type PickListRecord } from './pick-lists.service.ts';
import { cancelShipment, deliverShipment, getShipment, listShipmentsOfOrder, packShipment, shipShipment, type ShipmentRecord } from './shipments.service.ts';

export function toPickListJson(record: PickListRecord) {
  const { list } = record;
  return {
    id: list.id,
    order_id: list.order_id,
    site_id: list.site_id,
    status: list.status,
    created_at: toIso(list.created_at),
    picked_at: toIsoOrNull(list.picked_at),
    lines: record.lines.map((l) => ({
      id: l.id,
      line_no: l.line_no,
      order_line_id: l.order_line_id,
      item_id: l.item_id,
      location_id: l.location_id,
      bin: l.bin,
      lot_id: lotOrNull(l.lot_id),
      expires_on: l.expiresOn,
      qty: quantityToNumber(l.qty),
      qty_packed: quantityToNumber(l.qty_packed),
    })),
  };
}

export function toShipmentJson(record: ShipmentRecord) {
  const s = record.shipment;
  return {
    id: s.id,
    order_id: s.order_id,
    pick_list_id: s.pick_list_id,
    site_id: s.site_id,
    status: s.status,
    carrier: s.carrier,
    service: s.service,
    txn_id: s.txn_id,
    created_at: toIso(s.created_at),
    shipped_at: toIsoOrNull(s.shipped_at),
    delivered_at: toIsoOrNull(s.delivered_at),
    packages: record.packages.map((p) => ({
      id: p.id,
      number: p.number,
      weight_g: quantityToNumber(p.weight_mg),
      tracking_number: p.tracking_number,
      lines: record.lines
        .filter((l) => l.package_id === p.id)
        .map((l) => ({
          order_line_id: l.order_line_id,
          qty: quantityToNumber(l.qty),
          stock: l.parts.map((part) => ({ item_id: part.item_id, location_id: part.location_id, lot_id: lotOrNull(part.lot_id), qty: quantityToNumber(part.qty) })),
        })),
    })),
  };
}

const pickListList = z.object({ data: z.array(pickListOutput) });
const shipmentList = z.object({ data: z.array(shipmentOutput) });

export function registerFulfillmentRoutes(app: AppInstance, deps: CommandDeps): void {
  app.post('/api/v1/orders/:id/pick-lists', {
    schema: {
      tags: ['fulfillment'],
      summary: 'Make pick lists for an order’s reserved stock, one per site, bins in walking order',
      params: idParams('ord'),
      response: { 201: pickListList },
    },
    config: { access: { permission: 'fulfillment.write' }, errors: ['nothing_to_pick', 'order_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => ({ data: (await createPickLists(ctx, request.params.id)).map(toPickListJson) }), {
        status: 201,
        targets: (r) => r.data.map((p) => ({ type: 'pick_list', id: p.id })),
      }),
  });

  app.get('/api/v1/orders/:id/pick-lists', {
    schema: { tags: ['fulfillment'], summary: 'An order’s pick lists', params: idParams('ord'), response: { 200: pickListList } },
    config: { access: { permission: 'orders.read' }, errors: ['order_not_found'] },
    handler: async (request) => ({ data: (await listPickListsOfOrder(contextOf(deps, request), request.params.id)).map(toPickListJson) }),
  });

  app.get('/api/v1/pick-lists/:id', {
    schema: { tags: ['fulfillment'], summary: 'One pick list', params: idParams('pck'), response: { 200: pickListOutput } },
    config: { access: { permission: 'orders.read' }, errors: ['pick_list_not_found'] },
    handler: async (request) => toPickListJson(await getPickList(contextOf(deps, request), request.params.id)),
  });

  app.post('/api/v1/pick-lists/:id/picked', {
    schema: { tags: ['fulfillment'], summary: 'Mark a pick list picked', params: idParams('pck'), response: { 200: pickListOutput } },
    config: { access: { permission: 'fulfillment.write' }, errors: ['pick_list_not_found', 'pick_list_state'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toPickListJson(await markPicked(ctx, request.params.id)), { targets: (p) => [{ type: 'pick_list', id: p.id }] }),
  });

  app.post('/api/v1/pick-lists/:id/shipments', {
    schema: {
      tags: ['fulfillment'],
      summary: 'Pack picked stock into parcels: a shipment',
      description: 'Say what goes into which parcel, with its weight. Part of a pick list may be packed now and the rest later (a partial shipment).',
      params: idParams('pck'),
      body: packBody,
      response: { 201: shipmentOutput },
    },
    config: { access: { permission: 'fulfillment.write' }, errors: ['order_conflict', 'order_not_found', 'order_not_open', 'pick_list_not_found', 'pick_list_state', 'shipment_invalid'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toShipmentJson(await packShipment(ctx, request.params.id, request.body)), {
        status: 201,
        targets: (s) => [{ type: 'shipment', id: s.id }],
      }),
  });

  app.get('/api/v1/shipments/:id', {
    schema: { tags: ['fulfillment'], summary: 'One shipment with its parcels', params: idParams('shp'), response: { 200: shipmentOutput } },
    config: { access: { permission: 'orders.read' }, errors: ['shipment_not_found'] },
    handler: async (request) => toShipmentJson(await getShipment(contextOf(deps, request), request.params.id)),
  });

  app.get('/api/v1/orders/:id/shipments', {
    schema: { tags: ['fulfillment'], summary: 'An order’s shipments', params: idParams('ord'), response: { 200: shipmentList } },
    config: { access: { permission: 'orders.read' }, errors: ['order_not_found', 'shipment_not_found'] },
    handler: async (request) => ({ data: (await listShipmentsOfOrder(contextOf(deps, request), request.params.id)).map(toShipmentJson) }),
  });

  app.post('/api/v1/shipments/:id/ship', {
    schema: {
      tags: ['fulfillment'],
      summary: 'Ship: carrier, service and a tracking number per parcel; stock leaves for the customer',
      params: idParams('shp'),
      body: shipBody,
      response: { 200: shipmentOutput },
    },
    config: { access: { permission: 'fulfillment.write' }, errors: ['insufficient_stock', 'item_not_stockable', 'lot_invalid', 'lot_required', 'movement_invalid', 'order_conflict', 'order_not_found', 'order_not_open', 'reservation_invalid', 'serial_in_stock', 'shipment_invalid', 'shipment_not_found', 'shipment_state'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toShipmentJson(await shipShipment(ctx, request.params.id, request.body)), { targets: (s) => [{ type: 'shipment', id: s.id }] }),
  });

  app.post('/api/v1/shipments/:id/delivered', {
    schema: { tags: ['fulfillment'], summary: 'The carrier delivered the shipment', params: idParams('shp'), response: { 200: shipmentOutput } },
    config: { access: { permission: 'fulfillment.write' }, errors: ['order_conflict', 'order_not_found', 'order_not_open', 'shipment_not_found', 'shipment_state'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toShipmentJson(await deliverShipment(ctx, request.params.id)), { targets: (s) => [{ type: 'shipment', id: s.id }] }),
  });

  app.post('/api/v1/shipments/:id/cancel', {
    schema: { tags: ['fulfillment'], summary: 'Unpack a shipment that has not gone', params: idParams('shp'), response: { 200: shipmentOutput } },
    config: { access: { permission: 'fulfillment.write' }, errors: ['order_conflict', 'order_not_found', 'order_not_open', 'shipment_invalid', 'shipment_not_found', 'shipment_state'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => toShipmentJson(await cancelShipment(ctx, request.params.id)), { targets: (s) => [{ type: 'shipment', id: s.id }] }),
  });
}
