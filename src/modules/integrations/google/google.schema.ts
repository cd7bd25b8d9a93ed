import { z } from 'zod';
import { idInput } from '../../../platform/http/fields.ts';

export const setLocalFeedBody = z.strictObject({
  site_id: idInput('loc').meta({ description: 'The store.' }),
  store_code: z.string().trim().min(1).max(64).meta({ description: "The store's code in its Google Business Profile." }),
  channel_id: idInput('chn').meta({ description: 'A sales channel that sells from this store alone; its available-to-sell is what the feed advertises.' }),
});

const feedFields = { site_id: z.string(), store_code: z.string(), channel_id: z.string(), created_at: z.string(), updated_at: z.string() };

export const localFeedOutput = z.object(feedFields).meta({ id: 'GoogleLocalFeed' });
export const localFeedCreated = z
  .object({ ...feedFields, feed_path: z.string().meta({ description: 'The secret address Merchant Center fetches, relative to the server; shown once.' }) })
  .meta({ id: 'GoogleLocalFeedCreated' });

export const feedTokenParams = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });
