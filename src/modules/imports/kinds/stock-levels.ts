import { canSeeSite, reader, type ServiceContext } from '../../../platform/context.ts';
import type { Executor } from '../../../platform/db/transaction.ts';
import type { BulkOutcome } from '../../catalog/index.ts';
import { levelBody, putLevel } from '../../replenishment/index.ts';
import { booleanCell, numberCell, seen, yesNo, zodFailures, type ImportKind, type KindRow } from './kind.ts';

/**
 * Min/max levels (reorder point and order-up-to) of items at sites or pick-face bins, as PUT
 * /stock-levels/{item_id}/{location_id} sets them: quantities in base units, max at least min.
 * The location is a site's code or a bin's full code (`MAIN/A-01`); only granted sites.
 */

interface LevelImportRow extends KindRow {
  sku: string;
  location: string;
  min: number;
  max: number;
  delivered_daily: boolean | undefined;
}

const columns = [
  { key: 'sku', label: 'SKU', type: 'text', required: true },
  { key: 'location', label: 'Location', type: 'text', required: true },
  { key: 'min', label: 'Min', type: 'qty', required: true },
  { key: 'max', label: 'Max', type: 'qty', required: true },
  { key: 'delivered_daily', label: 'Delivered daily', type: 'text' },
] as const;

export const stockLevelsKind: ImportKind<LevelImportRow> = {
  name: 'stock-levels',
  title: 'Stock levels',
  columns,
  parse(row, cells, fail) {
    const sku = cells.get('sku') ?? '';
    const location = cells.get('location') ?? '';
    if (!sku) fail('sku', 'required', 'give the item’s SKU');
    if (!location) fail('location', 'required', 'give the site code or the bin’s full code');
    const body: Record<string, unknown> = { min: numberCell(cells.get('min') ?? ''), max: numberCell(cells.get('max') ?? '') };
    const daily = cells.get('delivered_daily');
    if (daily) {
      const value = booleanCell(daily);
      if (value === undefined) fail('delivered_daily', 'invalid', 'yes or no');
      else body.delivered_daily = value;
    }
    const parsed = levelBody.safeParse(body);
    if (!parsed.success) {
      zodFailures(parsed.error, body, fail);
      return null;
    }
    // The API's rule (levels.service.ts): the order-up-to level is at least the reorder point.
    if (parsed.data.max < parsed.data.min) fail('max', 'too_small', 'must be at least min');
    if (!sku || !location || parsed.data.max < parsed.data.min) return null;
    return { row, sku, location, min: parsed.data.min, max: parsed.data.max, delivered_daily: parsed.data.delivered_daily };
  },
  async check(ctx, rows, state) {
    const errors: Array<{ row: number; key: string | null; code: string; message: string }> = [];
    const { items, locations } = await references(reader(ctx), rows);
    for (const r of rows) {
      const fail = (key: string, code: string, message: string) => errors.push({ row: r.row, key, code, message });
      if (!items.has(r.sku.toUpperCase())) fail('sku', 'unknown_sku', `no item ${r.sku}`);
      const location = locations.get(r.location.toUpperCase());
      if (!location || !canSeeSite(ctx.actor, location.site_id)) fail('location', 'unknown_location', `no site or bin ${r.location} that you may plan`);
      if (seen(state, 'pair', `${r.sku.toUpperCase()}\u0001${r.location.toUpperCase()}`)) fail('location', 'duplicate', `${r.sku} at ${r.location} is on an earlier row of the file`);
    }
    return errors;
  },
  async apply(ctx, rows) {
    const { items, locations } = await references(ctx.trx, rows);
    const outcomes: BulkOutcome[] = [];
    for (const r of rows) {
      const itemId = items.get(r.sku.toUpperCase())!;
      const locationId = locations.get(r.location.toUpperCase())!.id;
      const current = await ctx.trx.selectFrom('stock_levels').selectAll().where('item_id', '=', itemId).where('location_id', '=', locationId).executeTakeFirst();
      if (current && Number(current.min_qty) === r.min && Number(current.max_qty) === r.max && (r.delivered_daily === undefined || (Number(current.delivered_daily) === 1) === r.delivered_daily)) {
        outcomes.push('unchanged');
        continue;
      }
      await putLevel(ctx, itemId, locationId, { min: r.min, max: r.max, delivered_daily: r.delivered_daily });
      outcomes.push(current ? 'updated' : 'created');
    }
    return outcomes;
  },
  async exportRows(ctx: ServiceContext) {
    let q = reader(ctx)
      .selectFrom('stock_levels as s')
      .innerJoin('items as i', 'i.id', 's.item_id')
      .innerJoin('locations as l', 'l.id', 's.location_id')
      .select(['i.sku', 'l.full_code', 's.min_qty', 's.max_qty', 's.delivered_daily'])
      .where('i.status', '=', 'active');
    if (ctx.actor.sites !== 'all') q = q.where('s.site_id', 'in', [...ctx.actor.sites, '']);
    const rows = await q.orderBy('i.sku_key').orderBy('l.full_code_key').execute();
    return rows.map((r) => ({ sku: r.sku, location: r.full_code, min: Number(r.min_qty), max: Number(r.max_qty), delivered_daily: yesNo(Number(r.delivered_daily) === 1) }));
  },
};

async function references(db: Executor, rows: readonly LevelImportRow[]) {
  if (rows.length === 0) return { items: new Map<string, string>(), locations: new Map<string, { id: string; site_id: string | null }>() };
  const items = await db.selectFrom('items').select(['id', 'sku_key']).where('sku_key', 'in', [...new Set(rows.map((r) => r.sku.toUpperCase()))]).execute();
  const locations = await db
    .selectFrom('locations')
    .select(['id', 'site_id', 'full_code_key'])
    .where('full_code_key', 'in', [...new Set(rows.map((r) => r.location.toUpperCase()))])
    .where('kind', 'in', ['site', 'bin'])
    .where('status', '=', 'active')
    .execute();
  return { items: new Map(items.map((i) => [i.sku_key, i.id])), locations: new Map(locations.map((l) => [l.full_code_key, { id: l.id, site_id: l.site_id }])) };
}
