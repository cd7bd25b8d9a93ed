import { z } from 'zod';
import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import type { ChannelConnectionRow, ChannelSyncLogRow, ChannelVariantMapRow } from '../../platform/db/schema.ts';
import { idInput, instantOutput, quantityOutput } from '../../platform/http/fields.ts';
import { cursorParam, limitParam } from '../../platform/http/pagination.ts';
import { quantityToNumber } from '../../platform/quantity.ts';

const credentialsInput = z.record(z.string().regex(/^[a-z_]{1,40}$/), z.string().trim().min(1).max(500)).refine((r) => Object.keys(r).length <= 10, { message: 'at most 10 fields' });
const baseUrlInput = z
  .url({ protocol: /^https?$/ })
  .max(300)
  .nullable()
  .meta({ description: 'The platform’s API origin when it is not the usual one for these credentials (a staging shop, a local test server).' });

export const createConnectionBody = z.strictObject({
  channel_id: idInput('chn'),
  platform: z.string().trim().min(1).max(40).meta({ description: 'shopify, square or woocommerce (GET /api/v1/integrations/platforms lists them with their fields).' }),
  credentials: credentialsInput,
  base_url: baseUrlInput.optional(),
});

export const updateConnectionBody = z.strictObject({
  credentials: credentialsInput.optional().meta({ description: 'Fields to change; the ones left out keep their stored value.' }),
  status: z.enum(['active', 'paused']).optional(),
  base_url: baseUrlInput.optional(),
});

export const connectionOutput = z.object({
  id: z.string(),
  channel_id: z.string(),
  platform: z.string(),
  status: z.enum(['active', 'paused']),
  shop_name: z.string().nullable(),
  base_url: z.string().nullable(),
  credentials: z.record(z.string(), z.union([z.string(), z.boolean()])).meta({ description: 'Visible fields as stored; secret ones only as whether they are set.' }),
  webhook_path: z.string().meta({ description: 'Where the platform should send webhooks (after your server’s origin).' }),
  last_tested_at: instantOutput.nullable(),
  last_test_error: z.string().nullable(),
  resting_until: instantOutput.nullable().meta({ description: 'When pushes resume after the platform throttled us or failed; null when not resting.' }),
  created_at: instantOutput,
});

export function toConnectionJson(row: ChannelConnectionRow, credentials: Record<string, string | boolean>, now: number): z.infer<typeof connectionOutput> {
  return {
    id: row.id,
    channel_id: row.channel_id,
    platform: row.platform,
    status: row.status,
    shop_name: row.shop_name,
    base_url: row.base_url,
    credentials,
    webhook_path: `/api/v1/integrations/${row.id}/webhooks`,
    last_tested_at: toIsoOrNull(row.last_tested_at),
    last_test_error: row.last_test_error,
    resting_until: row.push_not_before > now ? toIso(row.push_not_before) : null,
    created_at: toIso(row.created_at),
  };
}

export const variantOutput = z.object({
  variant_ref: z.string(),
  parent_ref: z.string().nullable(),
  title: z.string(),
  sku: z.string().nullable(),
  barcode: z.string().nullable(),
  price: z.string().nullable(),
  item_id: z.string().nullable(),
  matched_by: z.enum(['sku', 'barcode', 'manual', 'import']).nullable(),
  pushed_qty: quantityOutput.nullable(),
  pushed_at: instantOutput.nullable(),
  upstream_qty: quantityOutput.nullable(),
  push_owed: z.boolean(),
});

export function toVariantJson(row: ChannelVariantMapRow): z.infer<typeof variantOutput> {
  return {
    variant_ref: row.variant_ref,
    parent_ref: row.parent_ref,
    title: row.title,
    sku: row.sku,
    barcode: row.barcode,
    price: row.price,
    item_id: row.item_id,
    matched_by: row.matched_by,
    pushed_qty: row.pushed_qty === null ? null : quantityToNumber(row.pushed_qty),
    pushed_at: toIsoOrNull(row.pushed_at),
    upstream_qty: row.upstream_qty === null ? null : quantityToNumber(row.upstream_qty),
    push_owed: row.item_id !== null && row.dirty_gen > row.pushed_gen,
  };
}

export const variantsQuery = z.strictObject({
  mapped: z.enum(['true', 'false']).optional().meta({ description: 'Only mapped (true) or unmapped (false) variants.' }),
  limit: limitParam,
  cursor: cursorParam,
});
export const pageQuery = z.strictObject({ limit: limitParam, cursor: cursorParam });
export const syncLogQuery = z.strictObject({ failed: z.enum(['true', 'false']).optional(), limit: limitParam, cursor: cursorParam });

export const mappingBody = z.strictObject({
  variant_ref: z.string().trim().min(1).max(200),
  item_id: idInput('itm').nullable().meta({ description: 'The item it sells; null unlinks it.' }),
});
export const matchBody = z.strictObject({ by: z.array(z.enum(['sku', 'barcode'])).min(1).max(2).default(['sku', 'barcode']) });
export const importBody = z.strictObject({ variant_refs: z.array(z.string().trim().min(1).max(200)).min(1).max(200) });
export const reconcileBody = z.strictObject({ repair: z.boolean().default(false) });

export const syncLogOutput = z.object({ id: z.string(), at: instantOutput, kind: z.string(), ok: z.boolean(), ref: z.string().nullable(), detail: z.string() });
export function toSyncLogJson(row: ChannelSyncLogRow): z.infer<typeof syncLogOutput> {
  return { id: row.id, at: toIso(row.at), kind: row.kind, ok: row.ok === 1, ref: row.ref, detail: row.detail };
}

export const connectionParams = z.strictObject({ connection_id: idInput('con') });
