import { checkOccurredAt } from '../offline/index.ts';
import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type { ItemRow, LocationRow } from '../../platform/db/schema.ts';
import { insertRows } from '../../platform/db/insert-rows.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { mulDivExact } from '../../platform/decimal.ts';
import type { FieldError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { unitsOf } from '../catalog/index.ts';
import { findOrCreateLot, NO_LOT, postMovements, type MovementInput, type NegativeBalance } from '../ledger/index.ts';
import { findLocation, resolveStockLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { AdjustmentError } from './adjustments.errors.ts';
import { reasonRules, type AdjustmentReason, type CreateAdjustmentInput } from './adjustments.schema.ts';

/**
 * Stock adjustments: the document for stock that appears or disappears outside any purchase or
 * sale (opening balances, found, damaged, expired, theft, corrections). Posted at once and
 * immutable; a mistake is undone by a reversing adjustment.
 */

export interface AdjustmentLineRecord {
  id: string;
  line_no: number;
  item_id: string;
  lot_id: string;
  qty_delta: number;
  unit_cost_micros: number | null;
}

export interface AdjustmentRecord {
  id: string;
  number: string;
  location_id: string;
  reason: AdjustmentReason;
  note: string | null;
  effective_at: number;
  posted_at: number;
  actor_id: string | null;
  txn_id: string;
  reverses_id: string | null;
  reversed_by_id: string | null;
  lines: AdjustmentLineRecord[];
  negativeBalances?: NegativeBalance[];
}

interface PreparedLine {
  itemId: string;
  lotId: string;
  qtyDelta: number;
  unitCostMicros: number | null;
}

/**
 * `knownItems`: rows of the lines' items that the caller read or wrote in the same transaction (an
 * import that has just created them), so they are not read again; every line is still checked.
 */
export async function createAdjustment(ctx: ServiceContext, input: CreateAdjustmentInput, knownItems?: ReadonlyMap<string, ItemRow>): Promise<AdjustmentRecord> {
  return inTransaction(ctx, async (trx) => {
    const location = await resolveStockLocation({ ...ctx, trx }, input.location_id);
    const lines = await prepareLines(trx, input, ctx.clock.now(), knownItems);
    const effectiveAt = input.effective_at ?? (await checkOccurredAt(trx, input.occurred_at, ctx.clock.now()));
    return postAdjustment(ctx, trx, { location, reason: input.reason, note: input.note ?? null, effectiveAt, reversesId: null, lines });
  });
}

async function prepareLines(trx: Trx, input: CreateAdjustmentInput, now: number, knownItems?: ReadonlyMap<string, ItemRow>): Promise<PreparedLine[]> {
  const items = await itemsOfLines(trx, input.lines, knownItems);
  const rule = reasonRules[input.reason];
  const errors: FieldError[] = [];
  const prepared: PreparedLine[] = [];
  for (const [i, line] of input.lines.entries()) {
    const fail = (field: string, code: string, message: string) => errors.push({ field: `body.lines.${i}.${field}`, code, message });
    const item = items.get(line.item_id);
    if (!item) {
      fail('item_id', 'not_found', `no item ${line.item_id}`);
      continue;
    }
    const qty = toBaseQuantity(item, line.qty, line.unit);
    if (qty === null) {
      fail('unit', 'unknown_unit', `${item.sku} has no unit ${line.unit}, or the quantity does not convert exactly`);
      continue;
    }
    if (rule.sign === 'in' && qty < 0) fail('qty', 'sign', `${input.reason} adds stock; the quantity must be positive`);
    if (rule.sign === 'out' && qty > 0) fail('qty', 'sign', `${input.reason} removes stock; the quantity must be negative`);
    if (qty < 0 && line.unit_cost !== undefined) fail('unit_cost', 'not_allowed', 'stock removed leaves at its recorded cost');
    let lotId = NO_LOT;
    if (item.tracking !== 'none') {
      if (!line.lot_code) {
        fail('lot_code', 'required', `${item.sku} is tracked by ${item.tracking}`);
        continue;
      }
      if (item.tracking === 'serial' && Math.abs(qty) !== QTY_SCALE) {
        fail('qty', 'serial_qty', 'one line per serial number, with quantity 1 or -1');
        continue;
      }
      if (qty > 0) {
        if (item.tracks_expiry === 1 && !line.expires_on) {
          const known = await trx.selectFrom('lots').select('expires_on').where('item_id', '=', item.id).where('code', '=', line.lot_code).executeTakeFirst();
          if (!known?.expires_on) {
            fail('expires_on', 'required', `${item.sku} tracks expiry; give the lot's expiry date`);
            continue;
          }
        }
        lotId = (await findOrCreateLot(trx, item.id, item.tracking, { code: line.lot_code, expiresOn: line.expires_on ?? null }, now)).id;
      } else {
        const lot = await trx.selectFrom('lots').select('id').where('item_id', '=', item.id).where('code', '=', line.lot_code).executeTakeFirst();
        if (!lot) {
          fail('lot_code', 'not_found', `${item.sku} has no ${item.tracking} ${line.lot_code}`);
          continue;
        }
        lotId = lot.id;
      }
    } else if (line.lot_code) {
      fail('lot_code', 'not_tracked', `${item.sku} is not tracked by lot`);
      continue;
    }
    prepared.push({ itemId: item.id, lotId, qtyDelta: qty, unitCostMicros: line.unit_cost ?? null });
  }
  if (errors.length) throw new AdjustmentError('adjustment_line_invalid', errors[0]!.message, { errors });
  return prepared;
}

async function itemsOfLines(trx: Trx, lines: CreateAdjustmentInput['lines'], knownItems: ReadonlyMap<string, ItemRow> | undefined): Promise<Map<string, ItemRow>> {
  const items = new Map<string, ItemRow>();
  const unknown = new Set<string>();
  for (const { item_id } of lines) {
    const known = knownItems?.get(item_id);
    if (known) items.set(item_id, known);
    else unknown.add(item_id);
  }
  if (unknown.size) for (const row of await trx.selectFrom('items').selectAll().where('id', 'in', [...unknown]).execute()) items.set(row.id, row);
  return items;
}

/** A quantity in a purchase unit becomes base units exactly, or not at all. */
function toBaseQuantity(item: ItemRow, qty: number, unit: string | undefined): number | null {
  if (unit === undefined || unit.toLowerCase() === item.base_unit.toLowerCase()) return qty;
  const found = unitsOf(item).find((u) => u.name.toLowerCase() === unit.toLowerCase());
  if (!found) return null;
  return mulDivExact(qty, found.factor, QTY_SCALE);
}

interface PostAdjustmentInput {
  location: LocationRow;
  reason: AdjustmentReason;
  note: string | null;
  effectiveAt: number | undefined;
  reversesId: string | null;
  lines: PreparedLine[];
}

async function postAdjustment(ctx: ServiceContext, trx: Trx, input: PostAdjustmentInput): Promise<AdjustmentRecord> {
  const now = ctx.clock.now();
  const id = newId('adj', now);
  const counterpart = VIRTUAL_LOCATION_IDS[reasonRules[input.reason].counterpart];
  const lines: AdjustmentLineRecord[] = input.lines.map((line, i) => ({
    id: newId('adl', now),
    line_no: i + 1,
    item_id: line.itemId,
    lot_id: line.lotId,
    qty_delta: line.qtyDelta,
    unit_cost_micros: line.unitCostMicros,
  }));
  const movements: MovementInput[] = lines.map((line) => ({
    itemId: line.item_id,
    lotId: line.lot_id,
    fromLocationId: line.qty_delta > 0 ? counterpart : input.location.id,
    toLocationId: line.qty_delta > 0 ? input.location.id : counterpart,
    qty: Math.abs(line.qty_delta),
    unitCostMicros: line.unit_cost_micros,
    documentLineId: line.id,
  }));
  const posted = await postMovements(
    { ...ctx, trx },
    { kind: 'adjustment', reason: input.reason, documentType: 'adjustment', documentId: id, effectiveAt: input.effectiveAt, movements },
  );
  const number = formatDocumentNumber('ADJ', await nextNumber(trx, 'adjustment'));
  await trx
    .insertInto('adjustments')
    .values({
      id,
      number,
      location_id: input.location.id,
      reason: input.reason,
      note: input.note,
      effective_at: posted.effectiveAt,
      posted_at: now,
      actor_id: ctx.actor.id,
      txn_id: posted.txnId,
      reverses_id: input.reversesId,
    })
    .execute();
  await insertRows(trx, 'adjustment_lines', lines.map((l) => ({ ...l, adjustment_id: id })));
  return {
    id,
    number,
    location_id: input.location.id,
    reason: input.reason,
    note: input.note,
    effective_at: posted.effectiveAt,
    posted_at: now,
    actor_id: ctx.actor.id,
    txn_id: posted.txnId,
    reverses_id: input.reversesId,
    reversed_by_id: null,
    lines,
    negativeBalances: posted.negativeBalances,
  };
}

/** Undoes an adjustment with a new one of opposite lines; each adjustment can be reversed once. */
export async function reverseAdjustment(ctx: ServiceContext, id: string, note: string | undefined): Promise<AdjustmentRecord> {
  return inTransaction(ctx, async (trx) => {
    const original = await getAdjustment({ ...ctx, trx }, id);
    if (original.reversed_by_id) {
      throw new AdjustmentError('adjustment_already_reversed', `${original.number} was already reversed.`, { extra: { reversed_by_id: original.reversed_by_id } });
    }
    if (original.reverses_id) throw new AdjustmentError('adjustment_already_reversed', `${original.number} is itself a reversal; post a new adjustment instead.`);
    const location = (await findLocation(trx, original.location_id))!;
    // Stock put back enters at the cost it left with.
    const leftAt = new Map(
      (await trx.selectFrom('movements').select(['document_line_id', 'unit_cost_micros']).where('txn_id', '=', original.txn_id).execute()).map((m) => [
        m.document_line_id,
        m.unit_cost_micros,
      ]),
    );
    const lines: PreparedLine[] = original.lines.map((line) => ({
      itemId: line.item_id,
      lotId: line.lot_id,
      qtyDelta: -line.qty_delta,
      unitCostMicros: line.qty_delta < 0 ? (leftAt.get(line.id) ?? null) : null,
    }));
    return postAdjustment(ctx, trx, {
      location,
      reason: original.reason,
      note: note ?? `Reverses ${original.number}`,
      effectiveAt: undefined,
      reversesId: original.id,
      lines,
    });
  });
}

export async function getAdjustment(ctx: ServiceContext, id: string): Promise<AdjustmentRecord> {
  const db = reader(ctx);
  const row = await db
    .selectFrom('adjustments as a')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .selectAll('a')
    .select(['l.site_id', (eb) => eb.selectFrom('adjustments as r').select('r.id').whereRef('r.reverses_id', '=', 'a.id').as('reversed_by_id')])
    .where('a.id', '=', id)
    .executeTakeFirst();
  if (!row || !canSeeSite(ctx.actor, row.site_id)) throw new AdjustmentError('adjustment_not_found', `No adjustment ${id}.`);
  const lines = await db.selectFrom('adjustment_lines').selectAll().where('adjustment_id', '=', id).orderBy('line_no').execute();
  const { site_id: _site, ...adjustment } = row;
  return { ...adjustment, reason: adjustment.reason as AdjustmentReason, reversed_by_id: row.reversed_by_id ?? null, lines };
}

export async function listAdjustments(
  ctx: ServiceContext,
  query: { locationId?: string; reason?: AdjustmentReason; limit: number; cursor?: string },
): Promise<{ records: AdjustmentRecord[]; nextCursor: string | null }> {
  const db = reader(ctx);
  const after = decodeCursor(query.cursor, ['number', 'string']);
  let q = db
    .selectFrom('adjustments as a')
    .innerJoin('locations as l', 'l.id', 'a.location_id')
    .selectAll('a')
    .select((eb) => eb.selectFrom('adjustments as r').select('r.id').whereRef('r.reverses_id', '=', 'a.id').as('reversed_by_id'));
  if (query.locationId) {
    const location = await findLocation(db, query.locationId);
    q = q.where('l.path', 'like', `${location?.path ?? '/none/'}%`);
  }
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    q = sites.length ? q.where('l.site_id', 'in', sites) : q.where('l.id', '=', '');
  }
  if (query.reason) q = q.where('a.reason', '=', query.reason);
  if (after) {
    const [at, id] = after as [number, string];
    q = q.where((eb) => eb.or([eb('a.posted_at', '<', at), eb.and([eb('a.posted_at', '=', at), eb('a.id', '<', id)])]));
  }
  const rows = await q.orderBy('a.posted_at', 'desc').orderBy('a.id', 'desc').limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const ids = page.map((r) => r.id);
  const lines = ids.length ? await db.selectFrom('adjustment_lines').selectAll().where('adjustment_id', 'in', ids).orderBy('line_no').execute() : [];
  const byAdjustment = new Map<string, typeof lines>();
  for (const line of lines) byAdjustment.set(line.adjustment_id, [...(byAdjustment.get(line.adjustment_id) ?? []), line]);
  const last = page[page.length - 1];
  return {
    records: page.map((r) => ({ ...r, reason: r.reason as AdjustmentReason, reversed_by_id: r.reversed_by_id ?? null, lines: byAdjustment.get(r.id) ?? [] })),
    nextCursor: more && last ? encodeCursor([last.posted_at, last.id]) : null,
  };
}
