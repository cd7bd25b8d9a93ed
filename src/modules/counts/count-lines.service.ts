import { checkOccurredAt } from '../offline/index.ts';
import { sql } from 'kysely';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { CountRow, ItemRow, LocationRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { mulDivExact } from '../../platform/decimal.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { unitsOf } from '../catalog/index.ts';
import { findOrCreateLot, NO_LOT } from '../ledger/index.ts';
import { resolveScan, type ScanResolution } from '../scanning/index.ts';
import { evaluateLines, postIfSettled } from './count-approval.service.ts';
import { CountError } from './counts.errors.ts';
import type { CountLineInput, ScanInput } from './counts.schema.ts';
import { assertCounting, blankLine, lockCount, loadCount, sheetFinder, type CountLineView } from './counts.service.ts';

/**
 * Filling a count's lines. Typed lines set what is on the shelf; scans add to it. Either way the
 * line is found by its key (bin, item, lot) and changed by one UPDATE that does the arithmetic in
 * the database (`counted_qty + n`), never by reading the quantity and writing it back, so two
 * counters beeping the same shelf at once both count. A line nobody expected (stock found, an
 * item not on the sheet) is added and flagged `found`; a scan nobody can name is held for a
 * manager.
 */

interface LineKey {
  bin: LocationRow;
  item: ItemRow;
  lotId: string;
}

/** A quantity in a unit of the item becomes base units exactly, or not at all. */
function toBaseQuantity(item: ItemRow, qty: number, unit: string | undefined): number | null {
  if (unit === undefined || unit.toLowerCase() === item.base_unit.toLowerCase()) return qty;
  const found = unitsOf(item).find((u) => u.name.toLowerCase() === unit.toLowerCase());
  if (!found) return null;
  return mulDivExact(qty, found.factor, QTY_SCALE);
}

function invalid(field: string, code: string, message: string): CountError {
  return new CountError('count_line_invalid', message, { errors: [{ field, code, message }] });
}

async function binOfCount(trx: Trx, count: CountRow, locationId: string, field: string): Promise<LocationRow> {
  const row = await trx.selectFrom('locations').selectAll().where('id', '=', locationId).executeTakeFirst();
  if (!row || row.site_id !== count.site_id) throw invalid(field, 'not_in_site', `${locationId} is not a location of the counted site`);
  if (row.kind === 'bin') return row;
  if (row.kind === 'site' && row.default_bin_id) return (await trx.selectFrom('locations').selectAll().where('id', '=', row.default_bin_id).executeTakeFirstOrThrow());
  throw invalid(field, 'not_a_bin', `${row.full_code} is a ${row.kind}; stock is counted in bins`);
}

async function lotOf(trx: Trx, item: ItemRow, lotCode: string | null, expiresOn: string | null, now: number, field: string): Promise<string> {
  if (item.tracking === 'none') {
    if (lotCode) throw invalid(`${field}.lot_code`, 'not_tracked', `${item.sku} is not tracked by lot`);
    return NO_LOT;
  }
  if (!lotCode) throw invalid(`${field}.lot_code`, 'required', `${item.sku} is tracked by ${item.tracking}; scan its label or give the ${item.tracking}`);
  const known = await trx.selectFrom('lots').select(['id', 'expires_on']).where('item_id', '=', item.id).where('code', '=', lotCode).executeTakeFirst();
  if (known && !expiresOn) return known.id;
  if (!known && item.tracks_expiry === 1 && !expiresOn) throw invalid(`${field}.expires_on`, 'required', `${item.sku} tracks expiry; give the new lot's expiry date`);
  return (await findOrCreateLot(trx, item.id, item.tracking, { code: lotCode, expiresOn }, now)).id;
}

async function itemFor(trx: Trx, itemId: string, field: string): Promise<ItemRow> {
  const item = await trx.selectFrom('items').selectAll().where('id', '=', itemId).executeTakeFirst();
  if (!item) throw invalid(`${field}.item_id`, 'not_found', `no item ${itemId}`);
  if (item.stocked !== 1 || item.status !== 'active') throw invalid(`${field}.item_id`, 'not_stockable', `${item.sku} is not a stocked, active item`);
  return item;
}

/** Refuses a key whose line is already decided: it is recounted only when a manager rejects it. */
async function assertKeyOpen(trx: Trx, countId: string, key: LineKey): Promise<void> {
  const closed = await trx
    .selectFrom('count_lines')
    .select(['id', 'status'])
    .where('count_id', '=', countId)
    .where('location_id', '=', key.bin.id)
    .where('item_id', '=', key.item.id)
    .where('lot_id', '=', key.lotId)
    .where('status', 'not in', ['open', 'superseded'])
    .executeTakeFirst();
  if (closed) {
    throw new CountError('count_line_closed', `The line for ${key.item.sku} in ${key.bin.full_code} is ${closed.status}; a manager asks for a recount by rejecting it.`, {
      extra: { line_id: closed.id },
    });
  }
}

/**
 * Sets (`mode: 'set'`) or adds to (`mode: 'add'`) the counted quantity of the key's open line,
 * creating the line when the sheet did not have it. Returns the line's id.
 */
async function writeLine(trx: Trx, ctx: ServiceContext, count: CountRow, key: LineKey, qty: number, countedAt: number, mode: 'set' | 'add'): Promise<string> {
  const now = ctx.clock.now();
  const counted = mode === 'set' ? sql<number>`${qty}` : sql<number>`coalesce(counted_qty, 0) + ${qty}`;
  const updated = await trx
    .updateTable('count_lines')
    .set({ counted_qty: counted, counted_at: countedAt, counted_by: ctx.actor.id, updated_at: now })
    .where('count_id', '=', count.id)
    .where('location_id', '=', key.bin.id)
    .where('item_id', '=', key.item.id)
    .where('lot_id', '=', key.lotId)
    .where('status', '=', 'open')
    .returning('id')
    .executeTakeFirst();
  if (updated) return updated.id;
  await assertKeyOpen(trx, count.id, key);
  const [numbers, sheets] = await Promise.all([
    trx
      .selectFrom('count_lines')
      .select([sql<number>`coalesce(max(line_no), 0)`.as('line_no')])
      .where('count_id', '=', count.id)
      .executeTakeFirstOrThrow(),
    trx.selectFrom('count_sheets').selectAll().where('count_id', '=', count.id).orderBy('sheet_no').execute(),
  ]);
  const rounds = await trx
    .selectFrom('count_lines')
    .select(sql<number>`coalesce(max(round), 0)`.as('round'))
    .where('count_id', '=', count.id)
    .where('location_id', '=', key.bin.id)
    .where('item_id', '=', key.item.id)
    .where('lot_id', '=', key.lotId)
    .executeTakeFirstOrThrow();
  const id = newId('cnl', now);
  const excluded = mode === 'set' ? sql<number>`excluded.counted_qty` : sql<number>`coalesce(count_lines.counted_qty, 0) + excluded.counted_qty`;
  const row = await trx
    .insertInto('count_lines')
    .values({
      ...blankLine(count.id, now),
      id,
      sheet_id: (await sheetFinder(trx, sheets))(key.bin.path),
      line_no: Number(numbers.line_no) + 1,
      location_id: key.bin.id,
      item_id: key.item.id,
      lot_id: key.lotId,
      round: Number(rounds.round) + 1,
      found: 1,
      counted_qty: qty,
      counted_at: countedAt,
      counted_by: ctx.actor.id,
    })
    .onConflict((oc) =>
      oc.columns(['count_id', 'location_id', 'item_id', 'lot_id', 'round']).doUpdateSet({ counted_qty: excluded, counted_at: countedAt, counted_by: ctx.actor.id, updated_at: now }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Enters typed lines: each sets what was on the shelf at its instant (now when not given). */
export async function enterCountLines(ctx: ServiceContext, id: string, lines: readonly CountLineInput[]): Promise<{ lines: CountLineView[]; expectedVisible: boolean }> {
  return inTransaction(ctx, async (trx) => {
    const count = await lockCount(ctx, trx, id);
    assertCounting(count);
    const now = ctx.clock.now();
    // One read of the items and locations named, however many lines: a stocktake sends 500 at a time.
    const [items, locations] = await Promise.all([
      trx.selectFrom('items').selectAll().where('id', 'in', [...new Set(lines.map((l) => l.item_id))]).execute(),
      trx.selectFrom('locations').selectAll().where('id', 'in', [...new Set(lines.map((l) => l.location_id))]).where('kind', '=', 'bin').where('site_id', '=', count.site_id).execute(),
    ]);
    const itemById = new Map(items.map((i) => [i.id, i]));
    const bins = new Map<string, LocationRow>(locations.map((l) => [l.id, l]));
    const ids: string[] = [];
    for (const [i, line] of lines.entries()) {
      const field = `body.lines.${i}`;
      const countedAt = line.counted_at ?? now;
      if (countedAt > now) {
        throw new CountError('count_line_in_future', 'A line cannot be counted in the future; leave counted_at out to mean now.', {
          errors: [{ field: `${field}.counted_at`, code: 'in_future', message: 'after the present moment' }],
        });
      }
      const item = itemById.get(line.item_id) ?? (await itemFor(trx, line.item_id, field));
      if (item.stocked !== 1 || item.status !== 'active') throw invalid(`${field}.item_id`, 'not_stockable', `${item.sku} is not a stocked, active item`);
      const qty = toBaseQuantity(item, line.qty, line.unit);
      if (qty === null) throw invalid(`${field}.unit`, 'unknown_unit', `${item.sku} has no unit ${line.unit}, or the quantity does not convert exactly`);
      if (item.tracking === 'serial' && qty > QTY_SCALE) throw invalid(`${field}.qty`, 'serial_qty', 'a serial number is one unit');
      let bin = bins.get(line.location_id);
      if (!bin) {
        bin = await binOfCount(trx, count, line.location_id, `${field}.location_id`);
        bins.set(line.location_id, bin);
      }
      const lotId = await lotOf(trx, item, line.lot_code ?? null, line.expires_on ?? null, now, field);
      ids.push(await writeLine(trx, ctx, count, { bin, item, lotId }, qty, countedAt, 'set'));
    }
    const record = await loadCount({ ...ctx, trx }, id, { lineIds: ids });
    return { lines: record.lines, expectedVisible: record.expectedVisible };
  });
}

export interface CountScanResult {
  result: 'counted' | 'held';
  line: CountLineView | null;
  unknownScanId: string | null;
  scan: ScanResolution;
  expectedVisible: boolean;
}

/** One beep: adds to the line of what was scanned in that bin, or holds a code nobody knows. */
export async function scanIntoCount(ctx: ServiceContext, id: string, input: ScanInput): Promise<CountScanResult> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const count = await lockCount(ctx, trx, id);
    assertCounting(count);
    const now = ctx.clock.now();
    const bin = await binOfCount(trx, count, input.location_id, 'body.location_id');
    const scan = await resolveScan(tctx, input.code);
    const item = scan.item;
    if (!item) {
      const scanId = newId('cnu', now);
      await trx
        .insertInto('count_unknown_scans')
        .values({ id: scanId, count_id: id, location_id: bin.id, code: scan.input.slice(0, 512), qty: input.qty ?? QTY_SCALE, status: 'held', scanned_by: ctx.actor.id, scanned_at: now, resolved_item_id: null, resolved_by: null, resolved_at: null })
        .execute();
      return { result: 'held', line: null, unknownScanId: scanId, scan, expectedVisible: false };
    }
    if (item.stocked !== 1 || item.status !== 'active') throw invalid('body.code', 'not_stockable', `${item.sku} is not a stocked, active item`);
    const isSerial = item.tracking === 'serial';
    const perBeep = input.qty ?? (scan.count !== null ? scan.count * QTY_SCALE : QTY_SCALE);
    const qty = isSerial ? QTY_SCALE : toBaseQuantity(item, perBeep, scan.count !== null && input.qty === undefined ? undefined : input.unit);
    if (qty === null) throw invalid('body.unit', 'unknown_unit', `${item.sku} has no unit ${input.unit}, or the quantity does not convert exactly`);
    const lotCode = isSerial ? scan.serial : item.tracking === 'lot' ? scan.lotCode : null;
    const lotId = await lotOf(trx, item, lotCode, scan.expiresOn, now, 'body');
    const countedAt = (await checkOccurredAt(trx, input.occurred_at, now)) ?? now;
    const lineId = await writeLine(trx, ctx, count, { bin, item, lotId }, qty, countedAt, 'add');
    const record = await loadCount(tctx, id, { lineIds: [lineId] });
    return { result: 'counted', line: record.lines.find((l) => l.id === lineId) ?? null, unknownScanId: null, scan, expectedVisible: record.expectedVisible };
  });
}

/**
 * A manager names what an unknown code was (its quantity joins that item's line in the bin, at the
 * instant it was scanned) or dismisses it. On a submitted count the line is evaluated at once.
 */
export async function resolveUnknownScan(ctx: ServiceContext, id: string, scanId: string, input: { item_id?: string; dismiss?: boolean; lot_code?: string }) {
  return inTransaction(ctx, async (trx) => {
    const count = await lockCount(ctx, trx, id);
    if (count.status !== 'counting' && count.status !== 'submitted') {
      throw new CountError('count_not_open', `${count.number} is ${count.status}.`, { extra: { current_status: count.status } });
    }
    const scan = await trx.selectFrom('count_unknown_scans').selectAll().where('id', '=', scanId).where('count_id', '=', id).executeTakeFirst();
    if (!scan) throw new CountError('count_unknown_scan_not_found', `No unknown scan ${scanId} on ${count.number}.`);
    if (scan.status !== 'held') throw new CountError('count_line_closed', `That scan was already ${scan.status}.`);
    const now = ctx.clock.now();
    if (input.dismiss) {
      await trx.updateTable('count_unknown_scans').set({ status: 'dismissed', resolved_by: ctx.actor.id, resolved_at: now }).where('id', '=', scanId).execute();
    } else {
      const item = await itemFor(trx, input.item_id!, 'body');
      const bin = await trx.selectFrom('locations').selectAll().where('id', '=', scan.location_id).executeTakeFirstOrThrow();
      const lotId = await lotOf(trx, item, input.lot_code ?? null, null, now, 'body');
      const key = { bin, item, lotId };
      const scannedBy = { ...ctx, actor: { ...ctx.actor, id: scan.scanned_by ?? ctx.actor.id } };
      // The named item's line in that bin grows by the held quantity, even if it was already
      // measured or decided: it goes back to be measured (and decided) again with it.
      const reopened = await trx
        .updateTable('count_lines')
        .set({ counted_qty: sql<number>`coalesce(counted_qty, 0) + ${scan.qty}`, status: 'open', decision: null, decided_by: null, decided_at: null, updated_at: now })
        .where('count_id', '=', id)
        .where('location_id', '=', bin.id)
        .where('item_id', '=', item.id)
        .where('lot_id', '=', lotId)
        .where('status', 'in', ['open', 'pending', 'approved'])
        .returning('id')
        .executeTakeFirst();
      const lineId = reopened?.id ?? (await writeLine(trx, scannedBy, count, key, scan.qty, scan.scanned_at, 'add'));
      if (count.status === 'submitted') await evaluateLines({ ...ctx, trx }, trx, count, [lineId]);
      await trx.updateTable('count_unknown_scans').set({ status: 'resolved', resolved_item_id: item.id, resolved_by: ctx.actor.id, resolved_at: now }).where('id', '=', scanId).execute();
    }
    if (count.status === 'submitted') await postIfSettled({ ...ctx, trx }, trx, count);
    return loadCount({ ...ctx, trx }, id);
  });
}
