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

export const productFeedCreated = z
  .object({ feed_path: z.string().meta({ description: 'The secret address Merchant Center fetches the product feed from, relative to the server; shown once.' }), updated_at: z.string() })
  .meta({ id: 'GoogleProductFeedCreated' });

export const productFeedSummary = z
  .object({
    issued: z.boolean().meta({ description: 'Whether a secret address has been issued.' }),
    listed: z.number().int().meta({ description: 'Items listed on Google and complete enough to send.' }),
    problems: z.array(z.object({ item_id: z.string(), sku: z.string(), missing: z.array(z.enum(['price', 'link', 'image_link'])) })).meta({ description: 'Items listed on Google but left out for lack of what Google requires.' }),
  })
  .meta({ id: 'GoogleProductFeedSummary' });

const digits = z.string().trim().regex(/^\d{1,20}$/, 'must be the numeric id Merchant Center shows');
export const setMerchantBody = z.strictObject({
  merchant_id: digits.meta({ description: 'The Merchant Center account id.' }),
  data_source: digits.meta({ description: 'The id of the API product data source the product inputs go to.' }),
  content_language: z.string().regex(/^[a-z]{2}$/).optional().meta({ description: 'Two-letter ISO 639-1 code of the product data; default en.' }),
  feed_label: z.string().regex(/^[A-Z0-9_-]{1,20}$/).optional().meta({ description: 'The feed label (usually the country, such as US); default US.' }),
  service_account_key: z.string().max(10_000).optional().meta({ description: "The service account's JSON key file as text (client_email, private_key, token_uri); stored encrypted and never shown again. Left out keeps the stored key." }),
  api_base: z.string().url().max(500).nullable().optional().meta({ description: 'Where the Merchant API is; null (the default) for Google’s.' }),
});

export const merchantOutput = z
  .object({
    connected: z.boolean(),
    product_feed_issued: z.boolean(),
    merchant_id: z.string().nullable(),
    data_source: z.string().nullable(),
    content_language: z.string(),
    feed_label: z.string(),
    client_email: z.string().nullable().meta({ description: 'The service account’s email; the key itself is never shown.' }),
    api_base: z.string().nullable(),
    last_push_at: z.string().nullable(),
    push_not_before: z.string().nullable().meta({ description: 'Set while the push rests after Google throttled it or could not be reached.' }),
  })
  .meta({ id: 'GoogleMerchant' });

export const pushBody = z.strictObject({ full: z.boolean().default(false).meta({ description: 'Send everything again, not only what changed since the last push.' }) });
export const pushOutput = z
  .object({ status: z.enum(['pushed', 'not_connected', 'resting', 'throttled', 'failed']), products: z.number().int(), local_inventories: z.number().int(), failed: z.number().int(), unchanged: z.number().int(), removed: z.number().int().meta({ description: 'Products taken off Google whose product input was deleted.' }) })
  .meta({ id: 'GooglePushResult' });

