import { z } from 'zod';
import { toIso } from '../../../platform/clock.ts';
import { systemActor } from '../../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../../platform/http/command.ts';
import type { AppInstance } from '../../../platform/http/route.ts';
import { assertBaseUrl } from '../connections.service.ts';
import { syncLogOutput, syncLogQuery, toSyncLogJson } from '../integrations.schema.ts';
import { listSyncLog } from '../sync-log.ts';
import { GoogleFeedError } from './google.errors.ts';
import { feedTokenParams, localFeedCreated, localFeedOutput, merchantOutput, productFeedCreated, productFeedSummary, pushBody, pushOutput, setLocalFeedBody, setMerchantBody } from './google.schema.ts';
import { listLocalFeeds, localInventoryByToken, localInventoryTsv, setLocalFeed, type LocalFeed } from './local-inventory.service.ts';
import { parseServiceAccountKey } from './merchant-client.ts';
import { disconnectMerchant, GOOGLE_LOG_ID, merchantStatus, pushGoogleMerchant, setMerchant, type MerchantStatus } from './merchant.service.ts';
import { issueProductFeed, productFeed, productFeedByToken, productFeedTsv } from './product-feed.service.ts';

const tags = ['google'];
const feedJson = (f: LocalFeed) => ({ site_id: f.siteId, store_code: f.storeCode, channel_id: f.channelId, created_at: toIso(f.createdAt), updated_at: toIso(f.updatedAt) });
const merchantJson = (m: MerchantStatus, now: number) => ({
  connected: m.connected,
  product_feed_issued: m.productFeedIssued,
  merchant_id: m.merchantId,
  data_source: m.dataSource,
  content_language: m.contentLanguage,
  feed_label: m.feedLabel,
  client_email: m.clientEmail,
  api_base: m.apiBase,
  last_push_at: m.lastPushAt === null ? null : toIso(m.lastPushAt),
  push_not_before: m.pushNotBefore > now ? toIso(m.pushNotBefore) : null,
});
const tsv = { description: 'The feed.', content: { 'text/tab-separated-values': { schema: z.string() } } };

export function registerGoogleRoutes(app: AppInstance, deps: CommandDeps): void {
  app.get('/api/v1/google/local-feeds', {
    schema: { tags, summary: 'The Google local inventory feeds, one per store', response: { 200: z.object({ data: z.array(localFeedOutput) }) } },
    config: { access: { permission: 'stock.read' }, errors: [] },
    handler: async (request) => ({ data: (await listLocalFeeds(contextOf(deps, request))).map(feedJson) }),
  });
  app.post('/api/v1/google/local-feeds', {
    schema: { tags, summary: "Set a store's local inventory feed and issue its secret address (any earlier address stops working)", body: setLocalFeedBody, response: { 200: localFeedCreated } },
    config: { access: { permission: 'settings.write', location: { from: 'body', field: 'site_id' } }, errors: ['google_feed_invalid', 'location_not_found', 'channel_not_found'] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        const feed = await setLocalFeed(ctx, { siteId: request.body.site_id, storeCode: request.body.store_code, channelId: request.body.channel_id });
        return { ...feedJson(feed), feed_path: `/api/v1/google/local-inventory/${feed.token}` };
      }),
  });
  app.get('/api/v1/google/local-inventory/:token', {
    schema: { tags, summary: "A store's local inventory feed (tab-delimited), for Merchant Center's scheduled fetch", params: feedTokenParams, response: { 200: tsv } },
    config: { access: { public: true, reason: 'Merchant Center fetches it on a schedule without credentials; the secret in the address is the credential' }, errors: ['google_feed_not_found'] },
    handler: async (request, reply) => {
      // No caller to act as: the secret names the feed, and the feed is read as the system.
      const rows = await localInventoryByToken({ db: deps.db, clock: deps.clock, actor: systemActor }, request.params.token);
      return reply.type('text/tab-separated-values; charset=utf-8').send(localInventoryTsv(rows));
    },
  });

  app.get('/api/v1/google/product-feed', {
    schema: { tags, summary: 'The product feed: whether its address is issued, how many items it lists, and the listed items left out for what they lack', response: { 200: productFeedSummary } },
    config: { access: { permission: 'items.read' }, errors: [] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      const { rows, problems } = await productFeed({ ...ctx, actor: systemActor });
      const status = await merchantStatus(ctx);
      return { issued: status.productFeedIssued, listed: rows.length, problems: problems.map((p) => ({ item_id: p.itemId, sku: p.sku, missing: p.missing })) };
    },
  });
  app.post('/api/v1/google/product-feed', {
    schema: { tags, summary: "Issue the product feed's secret address (any earlier address stops working)", response: { 200: productFeedCreated } },
    config: { access: { permission: 'settings.write' }, errors: [] },
    handler: (request, reply) =>
      runCommand(deps, request, reply, async (ctx) => {
        const issued = await issueProductFeed(ctx);
        return { feed_path: `/api/v1/google/products/${issued.token}`, updated_at: toIso(issued.updatedAt) };
      }),
  });
  app.get('/api/v1/google/products/:token', {
    schema: { tags, summary: "The product feed (tab-delimited) of the items listed on Google, for Merchant Center's scheduled fetch", params: feedTokenParams, response: { 200: tsv } },
    config: { access: { public: true, reason: 'Merchant Center fetches it on a schedule without credentials; the secret in the address is the credential' }, errors: ['google_feed_not_found'] },
    handler: async (request, reply) => {
      const rows = await productFeedByToken({ db: deps.db, clock: deps.clock, actor: systemActor }, request.params.token);
      return reply.type('text/tab-separated-values; charset=utf-8').send(productFeedTsv(rows));
    },
  });

  app.get('/api/v1/google/merchant', {
    schema: { tags, summary: 'The Merchant Center link: account, service account (its email only), last push', response: { 200: merchantOutput } },
    config: { access: { permission: 'stock.read' }, errors: [] },
    handler: async (request) => merchantJson(await merchantStatus(contextOf(deps, request)), deps.clock.now()),
  });
  app.put('/api/v1/google/merchant', {
    schema: { tags, summary: 'Connect Merchant Center with a service account (its key is stored encrypted); a new account or key sends everything again', body: setMerchantBody, response: { 200: merchantOutput } },
    config: { access: { permission: 'settings.write' }, errors: ['google_merchant_invalid', 'connection_invalid'] },
    handler: async (request, reply) => {
      // Addresses the server will send credentials to: like a connector's base URL, no private address unless allowed.
      await assertBaseUrl(deps, request.body.api_base);
      if (request.body.service_account_key !== undefined) {
        const parsed = parseServiceAccountKey(request.body.service_account_key);
        if ('error' in parsed) throw new GoogleFeedError('google_merchant_invalid', `The service account key ${parsed.error}.`, { errors: [{ field: 'body.service_account_key', code: 'invalid', message: parsed.error }] });
        await assertBaseUrl(deps, parsed.key.token_uri);
      }
      return runCommand(deps, request, reply, async (ctx) => merchantJson(await setMerchant(ctx, request.body), deps.clock.now()));
    },
  });
  app.delete('/api/v1/google/merchant', {
    schema: { tags, summary: 'Disconnect Merchant Center: forget the key (the feeds keep their addresses)', response: { 200: merchantOutput } },
    config: { access: { permission: 'settings.write' }, errors: [] },
    handler: (request, reply) => runCommand(deps, request, reply, async (ctx) => merchantJson(await disconnectMerchant(ctx), deps.clock.now())),
  });
  app.post('/api/v1/google/merchant/push', {
    schema: { tags, summary: 'Push to the Merchant API now: what changed since the last push, or everything with full', body: pushBody, response: { 200: pushOutput } },
    config: { access: { permission: 'settings.write' }, errors: ['google_merchant_not_connected'] },
    handler: async (request) => {
      const ctx = contextOf(deps, request);
      if (!(await merchantStatus(ctx)).connected) throw new GoogleFeedError('google_merchant_not_connected', 'Connect Merchant Center with a service account first (PUT /api/v1/google/merchant).');
      const r = await pushGoogleMerchant(ctx, { full: request.body.full });
      return { status: r.status, products: r.products, local_inventories: r.localInventories, failed: r.failed, unchanged: r.unchanged, removed: r.removed };
    },
  });
  app.get('/api/v1/google/merchant/log', {
    schema: { tags, summary: 'What the Merchant API push did, newest first', querystring: syncLogQuery, response: { 200: z.object({ data: z.array(syncLogOutput), next_cursor: z.string().nullable() }) } },
    config: { access: { permission: 'stock.read' }, errors: [] },
    handler: async (request) => {
      const { entries, nextCursor } = await listSyncLog(contextOf(deps, request), GOOGLE_LOG_ID, { limit: request.query.limit, cursor: request.query.cursor, failedOnly: request.query.failed === 'true' });
      return { data: entries.map(toSyncLogJson), next_cursor: nextCursor };
    },
  });
}
