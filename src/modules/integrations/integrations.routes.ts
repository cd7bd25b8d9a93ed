import { z } from 'zod';
import { toIso } from '../../platform/clock.ts';
import { contextOf, runCommand, type CommandDeps } from '../../platform/http/command.ts';
import { idParams } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { assertBaseUrl, createConnection, credentialSummary, getConnection, listConnections, testConnection, updateConnection } from './connections.service.ts';
import { retryFailedEvents } from './events.service.ts';
import { takeWebhook } from './intake.service.ts';
import {
  connectionOutput,
  connectionParams,
  createConnectionBody,
  importBody,
  mappingBody,
  matchBody,
  pageQuery,
  reconcileBody,
  syncLogOutput,
  syncLogQuery,
  toConnectionJson,
  toSyncLogJson,
  toVariantJson,
  updateConnectionBody,
  variantOutput,
  variantsQuery,
} from './integrations.schema.ts';
import { importVariants, listMappings, listUnmappedItems, matchUnmapped, refreshCatalogue, setMapping } from './mapping.service.ts';
import { reconcile } from './reconcile.service.ts';
import { adapterFor, registeredPlatforms } from './registry.ts';
import { listSyncLog } from './sync-log.ts';

const tags = ['integrations'];
const base = '/api/v1/integrations/connections';

export function registerIntegrationRoutes(app: AppInstance, deps: CommandDeps): void {
  const json = (row: Parameters<typeof toConnectionJson>[0]) => toConnectionJson(row, credentialSummary(row), deps.clock.now());

  app.get('/api/v1/integrations/platforms', {
    schema: {
      tags,
      summary: 'The platforms a channel can connect to, with the credential fields each asks for',
      response: { 200: z.object({ data: z.array(z.object({ platform: z.string(), fields: z.array(z.object({ name: z.string(), label: z.string(), secret: z.boolean() })) })) }) },
    },
    config: { access: { permission: 'orders.read' }, errors: [] },
    handler: async () => ({ data: registeredPlatforms().map((p) => ({ platform: p, fields: [...adapterFor(p).credentialFields] })) }),
  });
  app.get(base, {
    schema: { tags, summary: 'Connected channels', response: { 200: z.object({ data: z.array(connectionOutput) }) } },
    config: { access: { permission: 'orders.read' }, errors: [] },
    handler: async (request) => ({ data: (await listConnections(contextOf(deps, request))).map(json) }),
  });
  app.post(base, {
    schema: { tags, summary: 'Connect a sales channel to its platform (credentials are stored encrypted)', body: createConnectionBody, response: { 201: connectionOutput } },
    config: { access: { permission: 'channels.write' }, errors: ['channel_not_found', 'connection_exists', 'connection_invalid', 'platform_unknown'] },
    handler: async (request, reply) => {
      await assertBaseUrl(deps, request.body.base_url);
      return runCommand(deps, request, reply, async (ctx) => json(await createConnection(ctx, request.body)), { status: 201, targets: (c) => [{ type: 'connection', id: c.id }] });
    },
  });
  app.get(`${base}/:id`, {
    schema: { tags, summary: 'One connection', params: idParams('con'), response: { 200: connectionOutput } },
    config: { access: { permission: 'orders.read' }, errors: ['connection_not_found'] },
    handler: async (request) => json(await getConnection(contextOf(deps, request), request.params.id)),
  });
  app.patch(`${base}/:id`, {
    schema: { tags, summary: 'Change credentials, pause or resume a connection', params: idParams('con'), body: updateConnectionBody, response: { 200: connectionOutput } },
    config: { access: { permission: 'channels.write' }, errors: ['connection_not_found', 'connection_invalid'] },
    handler: async (request, reply) => {
      await assertBaseUrl(deps, request.body.base_url);
      return runCommand(deps, request, reply, async (ctx) => json(await updateConnection(ctx, request.params.id, request.body)), { targets: (c) => [{ type: 'connection', id: c.id }] });
    },
  });
  app.post(`${base}/:id/test`, {
    schema: { tags, summary: 'Test the connection: one authenticated call to the platform; the answer is kept and logged', params: idParams('con'), response: { 200: connectionOutput } },
    config: { access: { permission: 'channels.write' }, errors: ['connection_not_found'] },
    handler: async (request) => json(await testConnection(contextOf(deps, request), request.params.id)),
  });
  app.post(`${base}/:id/catalogue/refresh`, {
    schema: { tags, summary: 'Read the upstream catalogue (every page) and match new variants by SKU, then barcode', params: idParams('con'), response: { 200: z.object({ variants: z.number().int(), matched: z.number().int() }) } },
    config: { access: { permission: 'channels.write' }, errors: ['connection_not_found', 'upstream_unavailable'] },
    handler: async (request) => refreshCatalogue(contextOf(deps, request), request.params.id),
  });
  app.get(`${base}/:id/variants`, {
    schema: { tags, summary: 'Upstream variants and the items they are mapped to', params: idParams('con'), querystring: variantsQuery, response: { 200: z.object({ data: z.array(variantOutput), next_cursor: z.string().nullable() }) } },
    config: { access: { permission: 'orders.read' }, errors: ['connection_not_found'] },
    handler: async (request) => {
      const { variants, nextCursor } = await listMappings(contextOf(deps, request), request.params.id, {
        mapped: request.query.mapped === undefined ? undefined : request.query.mapped === 'true',
        limit: request.query.limit,
        cursor: request.query.cursor,
      });
      return { data: variants.map(toVariantJson), next_cursor: nextCursor };
    },
  });
  app.get(`${base}/:id/unmapped-items`, {
    schema: { tags, summary: 'Active items no upstream variant of this channel sells', params: idParams('con'), querystring: pageQuery, response: { 200: z.object({ data: z.array(z.object({ id: z.string(), sku: z.string(), name: z.string() })), next_cursor: z.string().nullable() }) } },
    config: { access: { permission: 'orders.read' }, errors: ['connection_not_found'] },
    handler: async (request) => {
      const { items, nextCursor } = await listUnmappedItems(contextOf(deps, request), request.params.id, request.query);
      return { data: items, next_cursor: nextCursor };
    },
  });
  app.post(`${base}/:id/mappings`, {
    schema: { tags, summary: 'Link an upstream variant to an item by hand (or unlink it)', params: idParams('con'), body: mappingBody, response: { 200: variantOutput } },
    config: { access: { permission: 'channels.write' }, errors: ['connection_not_found', 'mapping_invalid'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => toVariantJson(await setMapping(ctx, request.params.id, request.body.variant_ref, request.body.item_id)), { targets: () => [{ type: 'connection', id: request.params.id }] }),
  });
  app.post(`${base}/:id/match`, {
    schema: { tags, summary: 'Match every unmapped variant by SKU and/or barcode', params: idParams('con'), body: matchBody, response: { 200: z.object({ matched: z.number().int() }) } },
    config: { access: { permission: 'channels.write' }, errors: ['connection_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        await getConnection(ctx, request.params.id);
        return { matched: await matchUnmapped(ctx, request.params.id, request.body.by) };
      }),
  });
  app.post(`${base}/:id/import`, {
    schema: { tags, summary: 'Create items from unmapped upstream variants and link them', params: idParams('con'), body: importBody, response: { 200: z.object({ data: z.array(z.object({ variant_ref: z.string(), item_id: z.string() })) }) } },
    config: { access: { permission: 'channels.write' }, errors: ['connection_not_found', 'mapping_invalid', 'sku_taken', 'validation_failed'] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => ({ data: await importVariants(ctx, request.params.id, request.body.variant_refs) })),
  });
  app.post(`${base}/:id/reconcile`, {
    schema: {
      tags,
      summary: 'Compare upstream levels with available-to-sell; with repair, queue pushes for the drifted ones',
      params: idParams('con'),
      body: reconcileBody,
      response: { 200: z.object({ checked: z.number().int(), drift: z.array(z.object({ variant_ref: z.string(), item_id: z.string(), title: z.string(), upstream: z.number().nullable(), available: z.number() })) }) },
    },
    config: { access: { permission: 'channels.write' }, errors: ['connection_not_found', 'upstream_unavailable'] },
    handler: async (request) => {
      const result = await reconcile(contextOf(deps, request), request.params.id, { repair: request.body.repair });
      return { checked: result.checked, drift: result.drift.map((d) => ({ ...d, upstream: d.upstream === null ? null : quantityToNumber(d.upstream), available: quantityToNumber(d.available) })) };
    },
  });
  app.get(`${base}/:id/sync-log`, {
    schema: { tags, summary: 'What the connection did, newest first: pushes, orders, refused webhooks, errors', params: idParams('con'), querystring: syncLogQuery, response: { 200: z.object({ data: z.array(syncLogOutput), next_cursor: z.string().nullable() }) } },
    config: { access: { permission: 'orders.read' }, errors: ['connection_not_found'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      await getConnection(ctx, request.params.id);
      const { entries, nextCursor } = await listSyncLog(ctx, request.params.id, { limit: request.query.limit, cursor: request.query.cursor, failedOnly: request.query.failed === 'true' });
      return { data: entries.map(toSyncLogJson), next_cursor: nextCursor };
    },
  });
  app.post(`${base}/:id/retry`, {
    schema: { tags, summary: 'Queue the orders that failed to apply again', params: idParams('con'), response: { 200: z.object({ requeued: z.number().int() }) } },
    config: { access: { permission: 'channels.write' }, errors: ['connection_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        await getConnection(ctx, request.params.id);
        return { requeued: await retryFailedEvents(ctx, request.params.id) };
      }),
  });

  // Webhooks: public (the platform signs them), and the signature is over the raw bytes, so this
  // route alone keeps the body as a Buffer. Its own scope, so every other route still parses JSON.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
    (scope as unknown as AppInstance).post('/api/v1/integrations/:connection_id/webhooks', {
      schema: { tags, summary: 'Webhook receiver for a connected platform (signed by the platform; no session)', params: connectionParams, response: { 200: z.object({ received: z.literal(true), duplicate: z.boolean(), received_at: z.string() }) } },
      config: { access: { public: true, reason: 'the platform calls it; its signature over the raw body is the credential' }, rateLimit: false, errors: ['connection_not_found', 'webhook_refused'] },
      handler: async (request) => {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const notificationUrl = `${request.protocol}://${request.host}${request.url}`;
        const taken = await takeWebhook(deps.db, deps.clock, request.params.connection_id, { headers: request.headers, rawBody, notificationUrl });
        return { received: true as const, duplicate: taken.duplicate, received_at: toIso(deps.clock.now()) };
      },
    });
  });
}
