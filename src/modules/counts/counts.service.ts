import { sql } from 'kysely';
import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type { CountLineRow, CountRow, CountSheetRow, CountUnknownScanRow, LocationRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { roleHas } from '../access/index.ts';
import { balancesAtInstants, NO_LOT } from '../ledger/index.ts';
import { getLocation, LocationError } from '../locations/index.ts';
import { CountError } from './counts.errors.ts';
import type { CountScope, CreateCountInput } from './counts.schema.ts';
import { cyclePlanItemIds } from './cycle-counts.service.ts';

/**
 * Count documents. A count names a site and a scope; creating it lays out the lines the ledger
 * expects (one per bin, item and lot that holds stock in the scope) in walking order and splits
 * them among the counters' sheets. Counters fill the lines by scanning or typing (see
 * count-lines.service.ts), each line keeping the instant it was counted; submitting and approving
 * (count-approval.service.ts) post the variances effective at those instants.
 */

/** A bound on one document: a stocktake of a large warehouse is several counts, by zone. */
export const MAX_COUNT_LINES = 10_000;

export interface CountLineView extends CountLineRow {
  location_code: string;
  sku: string;
  item_name: string;
  base_unit: string;
  lot_code: string | null;
}

export interface CountRecord {
  count: CountRow;
  sheets: CountSheetRow[];
  lines: CountLineView[];
  unknownScans: CountUnknownScanRow[];
  /** Whether the actor may see expected quantities (and so variances) of this count. */
  expectedVisible: boolean;
}

function notFound(id: string): CountError {
  return new CountError('count_not_found', `No count ${id}.`);
}

/** Blind counts hide the expected quantity from everyone while counting, and from counters always. */
export function expectedVisibleTo(ctx: ServiceContext, count: Pick<CountRow, 'mode' | 'status'>): boolean {
  if (count.mode === 'guided') return true;
  return count.status !== 'counting' && roleHas(ctx.actor.role, 'counts.approve');
}

/** The count, locked for the rest of the transaction so its state changes one at a time. */
export async function lockCount(ctx: ServiceContext, trx: Trx, id: string): Promise<CountRow> {
  const row = await trx.updateTable('counts').set({ updated_at: sql`updated_at` }).where('id', '=', id).returningAll().executeTakeFirst();
  if (!row || !canSeeSite(ctx.actor, row.site_id)) throw notFound(id);
  return row;
}

export function assertCounting(count: CountRow): void {
  if (count.status !== 'counting') {
    throw new CountError('count_not_open', `${count.number} is ${count.status}; lines are counted only while it is counting.`, { extra: { current_status: count.status } });
  }
}

export async function createCount(ctx: ServiceContext, input: CreateCountInput): Promise<CountRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const site = await getLocation(tctx, input.site_id);
    if (site.kind !== 'site') throw new LocationError('location_not_found', `${site.full_code} is a ${site.kind}; a count is of a site.`, { location_id: site.id });
    const scopeLocations = await resolveScopeLocations(trx, site, input.scope.location_ids ?? [], 'body.scope.location_ids');
    const planned = input.scope.cycle_plan ? await cyclePlanItemIds(tctx, site.id) : null;
    const itemIds = planned ?? input.scope.item_ids;
    const expected = await expectedStock(trx, site, { ...input.scope, item_ids: itemIds }, scopeLocations, input.kind);
    if (expected.length > MAX_COUNT_LINES) {
      throw new CountError('count_scope_too_large', `The scope holds ${expected.length} lines; a count holds at most ${MAX_COUNT_LINES}. Count by zone.`);
    }
    // A spot count (or named items) with nothing recorded still gets a line in the site's default bin.
    const named = new Set(expected.map((e) => e.item_id));
    for (const itemId of itemIds ?? []) {
      if (!named.has(itemId) && site.default_bin_id) expected.push(await blankLineFor(trx, itemId, site.default_bin_id));
    }
    if (expected.length === 0 && input.kind !== 'full') {
      throw new CountError('count_scope_empty', 'Nothing in this scope holds stock; widen the scope or count the whole site.');
    }
    const now = ctx.clock.now();
    const id = newId('cnt', now);
    const number = formatDocumentNumber('CNT', await nextNumber(trx, 'count'));
    const scope: CountScope = { ...input.scope, ...(planned ? { item_ids: planned } : {}) };
    await trx
      .insertInto('counts')
      .values({
        id,
        number,
        site_id: site.id,
        kind: input.kind,
        mode: input.mode,
        scope_json: JSON.stringify(scope),
        status: 'counting',
        note: input.note ?? null,
        created_by: ctx.actor.id,
        created_at: now,
        submitted_by: null,
        submitted_at: null,
        posted_by: null,
        posted_at: null,
        updated_at: now,
      })
      .execute();
    const sheetInputs = input.sheets?.length ? input.sheets : [{ name: 'All', location_ids: scopeLocations.length ? scopeLocations.map((l) => l.id) : [site.id], counter_id: undefined }];
    const sheets: CountSheetRow[] = [];
    for (const [i, sheet] of sheetInputs.entries()) {
      await resolveScopeLocations(trx, site, sheet.location_ids, `body.sheets.${i}.location_ids`);
      sheets.push({ id: newId('cnh', now), count_id: id, sheet_no: i + 1, name: sheet.name, location_ids_json: JSON.stringify(sheet.location_ids), counter_id: sheet.counter_id ?? null, created_at: now });
    }
    await trx.insertInto('count_sheets').values(sheets).execute();
    const sheetOf = await sheetFinder(trx, sheets);
    const rows: CountLineRow[] = expected.map((e, i) => ({
      ...blankLine(id, now),
      id: newId('cnl', now),
      sheet_id: sheetOf(e.path),
      line_no: i + 1,
      location_id: e.location_id,
      item_id: e.item_id,
      lot_id: e.lot_id,
    }));
    for (let i = 0; i < rows.length; i += 200) await trx.insertInto('count_lines').values(rows.slice(i, i + 200)).execute();
    return loadCount(tctx, id);
  });
}

export function blankLine(countId: string, now: number): Omit<CountLineRow, 'id' | 'sheet_id' | 'line_no' | 'location_id' | 'item_id' | 'lot_id'> {
  return {
    count_id: countId,
    round: 1,
    status: 'open',
    found: 0,
    counted_qty: null,
    counted_at: null,
    counted_by: null,
    expected_qty: null,
    variance_qty: null,
    unit_cost_micros: null,
    variance_value_micros: null,
    needs_approval: 0,
    decided_by: null,
    decided_at: null,
    decision: null,
    decision_reason: null,
    edited_from_qty: null,
    txn_id: null,
    posted_at: null,
    created_at: now,
    updated_at: now,
  };
}

/** The sheet a bin belongs to: the first whose zones or bins contain it. */
export async function sheetFinder(db: Executor, sheets: readonly CountSheetRow[]): Promise<(path: string) => string | null> {
  const ids = [...new Set(sheets.flatMap((s) => JSON.parse(s.location_ids_json) as string[]))];
  const paths = new Map((ids.length ? await db.selectFrom('locations').select(['id', 'path']).where('id', 'in', ids).execute() : []).map((r) => [r.id, r.path]));
  return (path) => {
    for (const sheet of sheets) {
      for (const id of JSON.parse(sheet.location_ids_json) as string[]) if (path.startsWith(paths.get(id) ?? '\u0000')) return sheet.id;
    }
    return sheets[0]?.id ?? null;
  };
}

async function resolveScopeLocations(db: Executor, site: LocationRow, ids: readonly string[], field: string): Promise<LocationRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('locations').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  const found = new Map(rows.map((r) => [r.id, r]));
  const errors = ids.flatMap((id, i) =>
    found.get(id)?.site_id === site.id ? [] : [{ field: `${field}.${i}`, code: 'not_in_site', message: `${id} is not a location of ${site.full_code}` }],
  );
  if (errors.length) throw new CountError('count_line_invalid', errors[0]!.message, { errors });
  return ids.map((id) => found.get(id)!);
}

interface ExpectedStock {
  location_id: string;
  item_id: string;
  lot_id: string;
  path: string;
}

/** The bins, items and lots the count expects to find, in walking order (bin pick order, bin code, SKU, lot). */
async function expectedStock(trx: Trx, site: LocationRow, scope: CountScope, locations: LocationRow[], kind: CreateCountInput['kind']): Promise<ExpectedStock[]> {
  if (kind === 'spot' && !scope.item_ids?.length) {
    throw new CountError('count_scope_empty', 'A spot count names its item in scope.item_ids.', { errors: [{ field: 'body.scope.item_ids', code: 'required', message: 'name the item' }] });
  }
  let q = trx
    .selectFrom('balances as b')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .innerJoin('items as i', 'i.id', 'b.item_id')
    .leftJoin('lots as lt', 'lt.id', 'b.lot_id')
    .select(['b.location_id', 'b.item_id', 'b.lot_id', 'l.path'])
    .where('l.site_id', '=', site.id)
    .where('l.kind', '=', 'bin')
    .where('i.status', '=', 'active')
    .where('i.stocked', '=', 1)
    .where('b.on_hand', scope.negative_only ? '<' : '<>', 0);
  if (locations.length) q = q.where((eb) => eb.or(locations.map((l) => eb('l.path', 'like', `${l.path}%`))));
  if (scope.item_ids) q = scope.item_ids.length ? q.where('b.item_id', 'in', scope.item_ids) : q.where('b.item_id', '=', '');
  if (scope.category) q = q.where('i.category', '=', scope.category);
  if (scope.vendor_id) q = q.where('b.item_id', 'in', (eb) => eb.selectFrom('vendor_items').select('item_id').where('vendor_id', '=', scope.vendor_id!));
  return q
    .orderBy('l.pick_order')
    .orderBy('l.full_code')
    .orderBy('i.sku')
    .orderBy(sql`coalesce(lt.code, '')`)
    .limit(MAX_COUNT_LINES + 1)
    .execute();
}

async function blankLineFor(trx: Trx, itemId: string, binId: string): Promise<ExpectedStock> {
  const [item, bin] = await Promise.all([
    trx.selectFrom('items').select(['id', 'tracking']).where('id', '=', itemId).executeTakeFirst(),
    trx.selectFrom('locations').select('path').where('id', '=', binId).executeTakeFirstOrThrow(),
  ]);
  if (!item) throw new CountError('count_line_invalid', `No item ${itemId}.`, { errors: [{ field: 'body.scope.item_ids', code: 'not_found', message: `no item ${itemId}` }] });
  if (item.tracking !== 'none') {
    throw new CountError('count_scope_empty', `Nothing of ${itemId} is recorded at this site; a tracked item's lots are scanned into the count as they are found.`);
  }
  return { location_id: binId, item_id: itemId, lot_id: NO_LOT, path: bin.path };
}

/** The count with its lines (all, one sheet's, or just the named ones: a scan needs one line, not the whole stocktake). */
export async function loadCount(ctx: ServiceContext, id: string, options: { sheetId?: string; lineIds?: readonly string[] } = {}): Promise<CountRecord> {
  const db = reader(ctx);
  const count = await db.selectFrom('counts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!count || !canSeeSite(ctx.actor, count.site_id)) throw notFound(id);
  let lineQuery = db
    .selectFrom('count_lines as c')
    .innerJoin('locations as l', 'l.id', 'c.location_id')
    .innerJoin('items as i', 'i.id', 'c.item_id')
    .leftJoin('lots as lt', 'lt.id', 'c.lot_id')
    .selectAll('c')
    .select(['l.full_code as location_code', 'i.sku', 'i.name as item_name', 'i.base_unit', 'lt.code as lot_code'])
    .where('c.count_id', '=', id);
  if (options.sheetId) lineQuery = lineQuery.where('c.sheet_id', '=', options.sheetId);
  if (options.lineIds) lineQuery = lineQuery.where('c.id', 'in', options.lineIds.length ? [...options.lineIds] : ['']);
  const [sheets, lines, unknownScans] = await Promise.all([
    db.selectFrom('count_sheets').selectAll().where('count_id', '=', id).orderBy('sheet_no').execute(),
    lineQuery.orderBy('c.line_no').orderBy('c.round').execute(),
    db.selectFrom('count_unknown_scans').selectAll().where('count_id', '=', id).orderBy('scanned_at').execute(),
  ]);
  const expectedVisible = expectedVisibleTo(ctx, count);
  // A guided count shows, while counting, what the ledger held at the line's instant (or now).
  if (expectedVisible && count.status === 'counting') {
    const open = lines.filter((l) => l.status === 'open');
    const now = ctx.clock.now();
    const at = await balancesAtInstants(db, open.map((l) => ({ itemId: l.item_id, locationId: l.location_id, lotId: l.lot_id, at: l.counted_at ?? now })));
    open.forEach((l, i) => {
      l.expected_qty = at[i]!;
      l.variance_qty = l.counted_qty === null ? null : l.counted_qty - at[i]!;
    });
  }
  return { count, sheets, lines, unknownScans, expectedVisible };
}

export async function getCount(ctx: ServiceContext, id: string, options: { sheetId?: string } = {}): Promise<CountRecord> {
  return loadCount(ctx, id, options);
}

export interface CountListQuery {
  siteId?: string;
  status?: CountRow['status'];
  awaitingApproval?: boolean;
  limit: number;
  cursor?: string;
}

export async function listCounts(ctx: ServiceContext, query: CountListQuery): Promise<{ records: Array<{ count: CountRow; summary: CountSummary }>; nextCursor: string | null }> {
  const db = reader(ctx);
  const after = decodeCursor(query.cursor, ['number', 'string']);
  let q = db.selectFrom('counts').selectAll();
  if (query.siteId) q = q.where('site_id', '=', query.siteId);
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('site_id', 'in', sites) : q.where('id', '=', '');
  }
  if (query.status) q = q.where('status', '=', query.status);
  if (query.awaitingApproval !== undefined) {
    const pending = (eb: any) => eb.exists(eb.selectFrom('count_lines as p').select('p.id').whereRef('p.count_id', '=', 'counts.id').where('p.status', '=', 'pending'));
    q = q.where((eb) => (query.awaitingApproval ? pending(eb) : eb.not(pending(eb))));
  }
  if (after) {
    const [at, id] = after as [number, string];
    q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const summaries = await summarize(db, page.map((r) => r.id));
  const last = page[page.length - 1];
  return {
    records: page.map((count) => ({ count, summary: summaries.get(count.id) ?? emptySummary() })),
    nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}

export interface CountSummary {
  lines: number;
  counted: number;
  pending: number;
  approved: number;
  posted: number;
  held_scans: number;
}

const emptySummary = (): CountSummary => ({ lines: 0, counted: 0, pending: 0, approved: 0, posted: 0, held_scans: 0 });

export function summaryOf(record: Pick<CountRecord, 'lines' | 'unknownScans'>): CountSummary {
  const live = record.lines.filter((l) => l.status !== 'superseded');
  return {
    lines: live.length,
    counted: live.filter((l) => l.counted_qty !== null).length,
    pending: live.filter((l) => l.status === 'pending').length,
    approved: live.filter((l) => l.status === 'approved').length,
    posted: live.filter((l) => l.status === 'posted').length,
    held_scans: record.unknownScans.filter((s) => s.status === 'held').length,
  };
}

async function summarize(db: Executor, ids: string[]): Promise<Map<string, CountSummary>> {
  const result = new Map<string, CountSummary>();
  if (ids.length === 0) return result;
  const [lines, scans] = await Promise.all([
    db
      .selectFrom('count_lines')
      .select(['count_id', 'status', sql<number>`count(*)`.as('n'), sql<number>`count(counted_qty)`.as('counted')])
      .where('count_id', 'in', ids)
      .where('status', '<>', 'superseded')
      .groupBy(['count_id', 'status'])
      .execute(),
    db.selectFrom('count_unknown_scans').select(['count_id', sql<number>`count(*)`.as('n')]).where('count_id', 'in', ids).where('status', '=', 'held').groupBy('count_id').execute(),
  ]);
  for (const row of lines) {
    const s = result.get(row.count_id) ?? emptySummary();
    s.lines += Number(row.n);
    s.counted += Number(row.counted);
    if (row.status === 'pending') s.pending += Number(row.n);
    if (row.status === 'approved') s.approved += Number(row.n);
    if (row.status === 'posted') s.posted += Number(row.n);
    result.set(row.count_id, s);
  }
  for (const row of scans) {
    const s = result.get(row.count_id) ?? emptySummary();
    s.held_scans = Number(row.n);
    result.set(row.count_id, s);
  }
  return result;
}

export async function cancelCount(ctx: ServiceContext, id: string): Promise<CountRecord> {
  return inTransaction(ctx, async (trx) => {
    const count = await lockCount(ctx, trx, id);
    if (count.status === 'posted' || count.status === 'cancelled') {
      throw new CountError('count_not_open', `${count.number} is ${count.status}; it can no longer be cancelled.`, { extra: { current_status: count.status } });
    }
    const posted = await trx.selectFrom('count_lines').select('id').where('count_id', '=', id).where('status', '=', 'posted').limit(1).executeTakeFirst();
    if (posted) throw new CountError('count_not_open', `${count.number} has posted lines; it can no longer be cancelled.`);
    await trx.updateTable('counts').set({ status: 'cancelled', updated_at: ctx.clock.now() }).where('id', '=', id).execute();
    return loadCount({ ...ctx, trx }, id);
  });
}
