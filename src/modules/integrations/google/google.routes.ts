import { z } from 'zod';
import { toIso } from '../../../platform/clock.ts';
import { systemActor } from '../../../platform/context.ts';
import { contextOf, runCommand, type CommandDeps } from '../../../platform/http/command.ts';
import type { AppInstance } from '../../../platform/http/route.ts';
import { feedTokenParams, localFeedCreated, localFeedOutput, setLocalFeedBody } from './google.schema.ts';
import { listLocalFeeds, localInventoryByToken, localInventoryTsv, setLocalFeed, type LocalFeed } from './local-inventory.service.ts';

const tags = ['google'];
const feedJson = (f: LocalFeed) => ({ site_id: f.siteId, store_code: f.storeCode, channel_id: f.channelId, created_at: toIso(f.createdAt), updated_at: toIso(f.updatedAt) });

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
    schema: {
      tags,
      summary: "A store's local inventory feed (tab-delimited), for Merchant Center's scheduled fetch",
      params: feedTokenParams,
      response: { 200: { description: 'The feed.', content: { 'text/tab-separated-values': { schema: z.string() } } } },
    },
    config: { access: { public: true, reason: 'Merchant Center fetches it on a schedule without credentials; the secret in the address is the credential' }, errors: ['google_feed_not_found'] },
    handler: async (request, reply) => {
      // No caller to act as: the secret names the feed, and the feed is read as the system.
      const rows = await localInventoryByToken({ db: deps.db, clock: deps.clock, actor: systemActor }, request.params.token);
      return reply.type('text/tab-separated-values; charset=utf-8').send(localInventoryTsv(rows));
    },
  });
}
