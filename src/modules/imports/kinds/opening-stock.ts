import { z } from 'zod';
import { canSeeCosts, reader, type ServiceContext } from '../../../platform/context.ts';
import type { ItemRow } from '../../../platform/db/schema.ts';
import type { Executor } from '../../../platform/db/transaction.ts';
import { dateInput, nonNegativeMoneyInput, positiveQuantityInput } from '../../../platform/http/fields.ts';
import { QTY_SCALE } from '../../../platform/quantity.ts';
import { createAdjustment } from '../../adjustments/index.ts';
import type { BulkOutcome } from '../../catalog/index.ts';
import { currentUnitCosts } from '../../costing/index.ts';
import { NO_LOT } from '../../ledger/index.ts';
import { loadSites } from '../imports.check.ts';
import { moneyCell, numberCell, seen, zodFailures, type ImportKind, type KindRow } from './kind.ts';

/**
 * Opening stock per site, with the lot (or serial number) and its expiry for tracked items: one
 * row per SKU, site and lot. Each becomes a line of an `opening_balance` adjustment at the site,
 * valued at the row's unit cost, validated by the rules of POST /adjustments (a tracked item needs
 * its lot, an expiring one the lot's expiry, a serial a quantity of one). It is posted only where
 * the item (for a tracked item: that lot of it) has no stock history at the site yet, so the same
 * file imported twice, or the export imported back, changes nothing.
 */

interface StockImportRow extends KindRow {
  sku: string;
  site: string;
  lot: string | null;
  expires_on: string | null;
  qty: number;
  unit_cost: number | null;
}

const columns = [
  { key: 'sku', label: 'SKU', type: 'text', required: true },
  { key: 'site', label: 'Site', type: 'text', required: true },
  { key: 'lot', label: 'Lot', type: 'text' },
  // Text, not a date cell: the streaming XLSX reader skips styles, so it would read a date back as a serial number.
  { key: 'expires_on', label: 'Expires on', type: 'text' },
  { key: 'qty', label: 'Quantity', type: 'qty', required: true },
  { key: 'unit_cost', label: 'Unit cost', type: 'money', cost: true },
] as const;

// The fields of an adjustment line (adjustments.schema.ts), by the same field rules.
const lineSchema = z.strictObject({
  qty: positiveQuantityInput,
  lot: z.string().trim().min(1).max(64).optional(),
  expires_on: dateInput.optional(),
  unit_cost: nonNegativeMoneyInput.optional(),
});

export const openingStockKind: ImportKind<StockImportRow> = {
  name: 'opening-stock',
  title: 'Opening stock',
  columns,
  parse(row, cells, fail) {
    const sku = cells.get('sku') ?? '';
    if (!sku) fail('sku', 'required', 'give the item’s SKU');
    const body: Record<string, unknown> = { qty: numberCell(cells.get('qty') ?? '') };
    const lot = cells.get('lot');
    if (lot) body.lot = lot;
    const expires = cells.get('expires_on');
    if (expires) body.expires_on = expires;
    const cost = cells.get('unit_cost');
    if (cost) body.unit_cost = moneyCell(cost);
    const parsed = lineSchema.safeParse(body);
    if (!parsed.success) zodFailures(parsed.error, body, fail);
    if (parsed.success && parsed.data.expires_on && !parsed.data.lot) fail('lot', 'required', 'an expiry date belongs to a lot; give the lot');
    if (!parsed.success || !sku || (parsed.data.expires_on && !parsed.data.lot)) return null;
    return { row, sku, site: cells.get('site') ?? '', lot: parsed.data.lot ?? null, expires_on: parsed.data.expires_on ?? null, qty: parsed.data.qty, unit_cost: parsed.data.unit_cost ?? null };
  },
  async check(ctx, rows, state, env) {
    const errors: Array<{ row: number; key: string | null; code: string; message: string }> = [];
    const db = reader(ctx);
    const items = await itemsOf(db, rows);
    const lots = await lotsOf(db, [...items.values()].map((i) => i.id));
    for (const r of rows) {
      const fail = (key: string, code: string, message: string) => errors.push({ row: r.row, key, code, message });
      const site = env.sites.resolve(r.site);
      if (!site) fail('site', r.site === '' ? 'site_required' : 'unknown_site', r.site === '' ? 'give the site this stock is at' : `no site ${r.site} that you may stock`);
      if (seen(state, 'line', `${r.sku.toUpperCase()}\u0001${site?.id ?? r.site}\u0001${r.lot ?? ''}`)) fail('lot', 'duplicate', `${r.sku}${r.lot ? ` lot ${r.lot}` : ''} at ${r.site} is on an earlier row of the file`);
      const item = items.get(r.sku.toUpperCase());
      if (!item) {
        fail('sku', 'unknown_sku', `no item ${r.sku}; import the items first`);
        continue;
      }
      if (item.stocked !== 1) fail('sku', 'not_stocked', `${item.sku} is not stocked`);
      if (item.tracking === 'none') {
        if (r.lot) fail('lot', 'not_tracked', `${item.sku} is not tracked by lot`);
        continue;
      }
      if (!r.lot) {
        fail('lot', 'lot_required', `${item.sku} is tracked by ${item.tracking}`);
        continue;
      }
      if (item.tracking === 'serial' && r.qty !== QTY_SCALE) fail('qty', 'serial_qty', 'one row per serial number, with quantity 1');
      const known = lots.get(`${item.id}\u0001${r.lot}`);
      if (known !== undefined && known !== null && r.expires_on && r.expires_on !== known) fail('expires_on', 'expiry_mismatch', `lot ${r.lot} is recorded with expiry ${known}`);
      if (item.tracks_expiry === 1 && !r.expires_on && !known) fail('expires_on', 'required', `${item.sku} tracks expiry; give the lot’s expiry date`);
    }
    return errors;
  },
  async apply(ctx, rows, env, jobId) {
    const items = await itemsOf(ctx.trx, rows);
    const outcomes: BulkOutcome[] = rows.map(() => 'unchanged');
    const bySite = new Map<string, number[]>();
    rows.forEach((r, i) => {
      const siteId = env.sites.resolve(r.site)!.id;
      const indexes = bySite.get(siteId);
      if (indexes) indexes.push(i);
      else bySite.set(siteId, [i]);
    });
    for (const [siteId, indexes] of bySite) {
      const history = await historyAt(
        ctx.trx,
        siteId,
        indexes.map((i) => items.get(rows[i]!.sku.toUpperCase())!.id),
      );
      const fresh = indexes.filter((i) => {
        const item = items.get(rows[i]!.sku.toUpperCase())!;
        return !history.has(item.tracking === 'none' ? item.id : `${item.id}\u0001${rows[i]!.lot}`);
      });
      for (let c = 0; c < fresh.length; c += 500) {
        const chunk = fresh.slice(c, c + 500);
        await createAdjustment(ctx, {
          location_id: siteId,
          reason: 'opening_balance',
          note: `Opening stock from import ${jobId}`,
          lines: chunk.map((i) => {
            const r = rows[i]!;
            return {
              item_id: items.get(r.sku.toUpperCase())!.id,
              qty: r.qty,
              ...(r.lot ? { lot_code: r.lot } : {}),
              ...(r.expires_on ? { expires_on: r.expires_on } : {}),
              ...(r.unit_cost !== null ? { unit_cost: r.unit_cost } : {}),
            };
          }),
        });
        for (const i of chunk) outcomes[i] = 'created';
      }
    }
    return outcomes;
  },
  async exportRows(ctx: ServiceContext) {
    const db = reader(ctx);
    const sites = new Map((await loadSites(db, ctx.actor)).map((s) => [s.id, s.code]));
    const rows = await db
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .innerJoin('items as i', 'i.id', 'b.item_id')
      .leftJoin('lots as lt', 'lt.id', 'b.lot_id')
      .select((eb) => ['i.id', 'i.sku', 'i.sku_key', 'l.site_id', 'lt.code', 'lt.expires_on', eb.fn.sum<number>('b.on_hand').as('qty')])
      .where('l.kind', '<>', 'virtual')
      .where('l.site_id', 'is not', null)
      .where('i.status', '=', 'active')
      .groupBy(['i.id', 'i.sku', 'i.sku_key', 'l.site_id', 'lt.code', 'lt.expires_on'])
      .orderBy('i.sku_key')
      .orderBy('l.site_id')
      .orderBy('lt.code')
      .execute();
    const visible = rows.filter((r) => Number(r.qty) > 0 && sites.has(r.site_id!));
    const costs = canSeeCosts(ctx.actor) ? await currentUnitCosts(db, [...new Set(visible.map((r) => r.id))]) : null;
    return visible.map((r) => ({
      sku: r.sku,
      site: sites.get(r.site_id!)!,
      lot: r.code ?? null,
      expires_on: r.expires_on ?? null,
      qty: Number(r.qty),
      ...(costs ? { unit_cost: costs.get(r.id) ?? null } : {}),
    }));
  },
};

async function itemsOf(db: Executor, rows: readonly StockImportRow[]): Promise<Map<string, ItemRow>> {
  if (rows.length === 0) return new Map();
  const found = await db.selectFrom('items').selectAll().where('sku_key', 'in', [...new Set(rows.map((r) => r.sku.toUpperCase()))]).execute();
  return new Map(found.map((i) => [i.sku_key, i]));
}

/** "item id, lot code" → the lot's expiry (null when it has none) for the items' known lots. */
async function lotsOf(db: Executor, itemIds: readonly string[]): Promise<Map<string, string | null>> {
  if (itemIds.length === 0) return new Map();
  const found = await db.selectFrom('lots').select(['item_id', 'code', 'expires_on']).where('item_id', 'in', [...new Set(itemIds)]).execute();
  return new Map(found.map((l) => [`${l.item_id}\u0001${l.code}`, l.expires_on]));
}

/** What already has stock history at the site: item ids, and "item id, lot code" for lots. */
async function historyAt(db: Executor, siteId: string, itemIds: readonly string[]): Promise<Set<string>> {
  const found = await db
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .leftJoin('lots as lt', 'lt.id', 'b.lot_id')
    .select(['b.item_id', 'b.lot_id', 'lt.code'])
    .distinct()
    .where('l.site_id', '=', siteId)
    .where('b.item_id', 'in', [...new Set(itemIds)])
    .execute();
  const keys = new Set<string>();
  for (const f of found) {
    keys.add(f.item_id);
    if (f.lot_id !== NO_LOT && f.code) keys.add(`${f.item_id}\u0001${f.code}`);
  }
  return keys;
}
