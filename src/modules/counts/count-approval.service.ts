import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import { emitWebhookEvent } from '../notifications/index.ts';
import type { CountLineRow, CountRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { balancesAtInstants, postMovements, type MovementInput } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { exceedsThresholds, readCountSettings } from './count-settings.service.ts';
import { CountError } from './counts.errors.ts';
import { COUNT_VARIANCE_REASON, type DecisionInput } from './counts.schema.ts';
import { blankLine, loadCount, lockCount, type CountRecord } from './counts.service.ts';

/**
 * Submitting, approving and posting a count. The expected quantity of a line is the ledger
 * balance of its bin, item and lot at the instant the line was counted, so a sale rung up before
 * that instant is already out of the expectation and one rung up after is not counted twice.
 * Submitting measures each variance against the site's thresholds: within them a line is
 * approved as it stands, beyond them it waits for a person with `counts.approve`, who approves,
 * rejects (asking for a recount) or edits it with a reason. Once nothing waits, the count posts:
 * each line moves (counted − expected) to or from the `adjustment` location, effective at its
 * instant, valued by the item's costing rules. The expectation is measured again inside the
 * posting transaction, so a back-dated entry that landed meanwhile is taken into account.
 */

/** Cost per base unit the variance is valued at before posting (posting values it by the ledger's costing). */
async function unitCosts(db: Executor, itemIds: readonly string[]): Promise<Map<string, number>> {
  const unique = [...new Set(itemIds)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('item_costs').select(['item_id', 'pool_qty', 'pool_value_micros', 'last_unit_cost_micros']).where('item_id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.item_id, Number(r.pool_qty) > 0 ? mulDiv(Number(r.pool_value_micros), QTY_SCALE, Number(r.pool_qty)) : Number(r.last_unit_cost_micros)]));
}

async function expectations(db: Executor, lines: readonly CountLineRow[]): Promise<number[]> {
  return balancesAtInstants(db, lines.map((l) => ({ itemId: l.item_id, locationId: l.location_id, lotId: l.lot_id, at: l.counted_at! })));
}

/** Measures open, counted lines against their expectation and routes each to approval or not. */
export async function evaluateLines(ctx: ServiceContext, trx: Trx, count: CountRow, lineIds?: readonly string[]): Promise<void> {
  let q = trx.selectFrom('count_lines').selectAll().where('count_id', '=', count.id).where('status', '=', 'open').where('counted_qty', 'is not', null);
  if (lineIds) q = q.where('id', 'in', lineIds.length ? [...lineIds] : ['']);
  const lines = await q.execute();
  if (lines.length === 0) return;
  const settings = await readCountSettings(trx, count.site_id);
  const [expected, costs] = await Promise.all([expectations(trx, lines), unitCosts(trx, lines.map((l) => l.item_id))]);
  const now = ctx.clock.now();
  for (const [i, line] of lines.entries()) {
    const expectedQty = expected[i]!;
    const varianceQty = line.counted_qty! - expectedQty;
    const unitCost = costs.get(line.item_id) ?? null;
    const needs = (line.found === 1 && varianceQty !== 0) || exceedsThresholds(settings, { expectedQty, varianceQty, unitCostMicros: unitCost });
    await trx
      .updateTable('count_lines')
      .set({
        expected_qty: expectedQty,
        variance_qty: varianceQty,
        unit_cost_micros: unitCost,
        variance_value_micros: unitCost === null ? null : mulDiv(varianceQty, unitCost, QTY_SCALE),
        needs_approval: needs ? 1 : 0,
        status: needs ? 'pending' : 'approved',
        decision: needs ? null : 'approved',
        updated_at: now,
      })
      .where('id', '=', line.id)
      .execute();
  }
}

export async function submitCount(ctx: ServiceContext, id: string, uncounted: 'error' | 'zero' | 'skip'): Promise<CountRecord> {
  return inTransaction(ctx, async (trx) => {
    const count = await lockCount(ctx, trx, id);
    if (count.status !== 'counting') {
      throw new CountError('count_not_open', `${count.number} is ${count.status}; only a count being counted is submitted.`, { extra: { current_status: count.status } });
    }
    const now = ctx.clock.now();
    const blank = await trx.selectFrom('count_lines').select(['id', 'line_no']).where('count_id', '=', id).where('status', '=', 'open').where('counted_qty', 'is', null).orderBy('line_no').execute();
    if (blank.length && uncounted === 'error') {
      throw new CountError('count_lines_uncounted', `${blank.length} lines were not counted; count them, or submit with uncounted "zero" or "skip".`, {
        extra: { line_ids: blank.slice(0, 50).map((l) => l.id), uncounted: blank.length },
      });
    }
    if (blank.length) {
      const ids = blank.map((l) => l.id);
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await trx
          .updateTable('count_lines')
          .set(uncounted === 'zero' ? { counted_qty: 0, counted_at: now, counted_by: ctx.actor.id, updated_at: now } : { status: 'skipped', updated_at: now })
          .where('id', 'in', chunk)
          .execute();
      }
    }
    await evaluateLines(ctx, trx, count);
    await trx.updateTable('counts').set({ status: 'submitted', submitted_by: ctx.actor.id, submitted_at: now, updated_at: now }).where('id', '=', id).execute();
    await postIfSettled(ctx, trx, { ...count, status: 'submitted' });
    return loadCount({ ...ctx, trx }, id);
  });
}

/**
 * Applies a manager's decisions (all waiting lines approved when none are given). A site that
 * requires a second person refuses a decision on a line the same person counted.
 */
export async function approveCount(ctx: ServiceContext, id: string, decisions: readonly DecisionInput[] | undefined): Promise<CountRecord> {
  return inTransaction(ctx, async (trx) => {
    const count = await lockCount(ctx, trx, id);
    if (count.status !== 'submitted') {
      throw new CountError('count_not_open', `${count.number} is ${count.status}; only a submitted count is approved.`, { extra: { current_status: count.status } });
    }
    const settings = await readCountSettings(trx, count.site_id);
    const lines = await trx.selectFrom('count_lines').selectAll().where('count_id', '=', id).where('status', 'in', ['pending', 'approved']).execute();
    const byId = new Map(lines.map((l) => [l.id, l]));
    const wanted: readonly DecisionInput[] = decisions ?? lines.filter((l) => l.status === 'pending').map((l) => ({ line_id: l.id, action: 'approve' as const }));
    if (wanted.length === 0 && !decisions) {
      const held = await trx.selectFrom('count_unknown_scans').select('id').where('count_id', '=', id).where('status', '=', 'held').limit(1).executeTakeFirst();
      if (held) throw new CountError('count_nothing_to_approve', `${count.number} waits only on unknown scans; resolve or dismiss them.`);
    }
    const now = ctx.clock.now();
    let rejected = false;
    for (const [i, decision] of wanted.entries()) {
      const field = `body.decisions.${i}`;
      const line = byId.get(decision.line_id);
      if (!line) throw new CountError('count_decision_invalid', `Line ${decision.line_id} is not awaiting a decision on ${count.number}.`, { errors: [{ field: `${field}.line_id`, code: 'not_pending', message: 'not a pending or approved line of this count' }] });
      if (settings.require_second_person === 1 && line.counted_by === ctx.actor.id) {
        throw new CountError('count_self_approval', 'This site requires a second person: someone other than the counter decides on a variance.', { extra: { line_id: line.id } });
      }
      if ((decision.action === 'reject' || decision.action === 'edit') && !decision.reason) {
        throw new CountError('count_decision_invalid', `To ${decision.action} a line, give a reason.`, { errors: [{ field: `${field}.reason`, code: 'required', message: 'give a reason' }] });
      }
      const decided = { decided_by: ctx.actor.id, decided_at: now, decision_reason: decision.reason ?? null, updated_at: now };
      if (decision.action === 'approve') {
        await trx.updateTable('count_lines').set({ ...decided, status: 'approved', decision: 'approved' }).where('id', '=', line.id).execute();
      } else if (decision.action === 'edit') {
        if (decision.qty === undefined) throw new CountError('count_decision_invalid', 'To edit a line, give the corrected qty.', { errors: [{ field: `${field}.qty`, code: 'required', message: 'give the quantity' }] });
        const variance = decision.qty - (line.expected_qty ?? 0);
        await trx
          .updateTable('count_lines')
          .set({
            ...decided,
            status: 'approved',
            decision: 'edited',
            edited_from_qty: line.counted_qty,
            counted_qty: decision.qty,
            variance_qty: variance,
            variance_value_micros: line.unit_cost_micros === null ? null : mulDiv(variance, line.unit_cost_micros, QTY_SCALE),
          })
          .where('id', '=', line.id)
          .execute();
      } else {
        rejected = true;
        await trx.updateTable('count_lines').set({ ...decided, status: 'superseded', decision: 'rejected' }).where('id', '=', line.id).execute();
        await trx
          .insertInto('count_lines')
          // A recount is a fresh line in the next round, on the same bin, item and lot.
          .values({ ...line, ...blankLine(line.count_id, now), id: newId('cnl', now), round: line.round + 1, found: line.found })
          .execute();
      }
    }
    if (rejected) {
      await trx.updateTable('counts').set({ status: 'counting', updated_at: now }).where('id', '=', id).execute();
    } else {
      await postIfSettled(ctx, trx, count);
    }
    return loadCount({ ...ctx, trx }, id);
  });
}

export async function postIfSettled(ctx: ServiceContext, trx: Trx, count: CountRow): Promise<void> {
  const waiting = await trx.selectFrom('count_lines').select('id').where('count_id', '=', count.id).where('status', 'in', ['pending', 'open']).limit(1).executeTakeFirst();
  const held = await trx.selectFrom('count_unknown_scans').select('id').where('count_id', '=', count.id).where('status', '=', 'held').limit(1).executeTakeFirst();
  if (waiting || held) return;
  await postCount(ctx, trx, count);
  await emitWebhookEvent(trx, { type: 'count.approved', data: { count_id: count.id, number: count.number, site_id: count.site_id } }, ctx.clock.now());
}

/** Posts every approved line: one ledger transaction per distinct count instant, all in this database transaction. */
async function postCount(ctx: ServiceContext, trx: Trx, count: CountRow): Promise<void> {
  const lines = await trx.selectFrom('count_lines').selectAll().where('count_id', '=', count.id).where('status', '=', 'approved').orderBy('counted_at').orderBy('line_no').execute();
  const expected = await expectations(trx, lines);
  const bin = VIRTUAL_LOCATION_IDS.adjustment;
  const byInstant = new Map<number, Array<{ line: CountLineRow; expectedQty: number }>>();
  lines.forEach((line, i) => {
    const group = byInstant.get(line.counted_at!) ?? [];
    group.push({ line, expectedQty: expected[i]! });
    byInstant.set(line.counted_at!, group);
  });
  const now = ctx.clock.now();
  const posted = new Map<string, { txnId: string | null; expectedQty: number; valueMicros: number | null }>();
  for (const [at, group] of byInstant) {
    const moving = group.filter((g) => g.line.counted_qty! !== g.expectedQty);
    for (const g of group.filter((g) => g.line.counted_qty! === g.expectedQty)) posted.set(g.line.id, { txnId: null, expectedQty: g.expectedQty, valueMicros: 0 });
    if (moving.length === 0) continue;
    const movements: MovementInput[] = moving.map(({ line, expectedQty }) => {
      const variance = line.counted_qty! - expectedQty;
      return {
        itemId: line.item_id,
        lotId: line.lot_id,
        fromLocationId: variance > 0 ? bin : line.location_id,
        toLocationId: variance > 0 ? line.location_id : bin,
        qty: Math.abs(variance),
        documentLineId: line.id,
      };
    });
    const result = await postMovements({ ...ctx, trx }, { kind: 'count', reason: COUNT_VARIANCE_REASON, documentType: 'count', documentId: count.id, effectiveAt: at, movements });
    const values = new Map(result.movements.map((m) => [m.document_line_id, m.value_micros]));
    for (const { line, expectedQty } of moving) {
      const value = values.get(line.id);
      const sign = line.counted_qty! > expectedQty ? 1 : -1;
      posted.set(line.id, { txnId: result.txnId, expectedQty, valueMicros: value == null ? null : sign * Number(value) });
    }
  }
  for (const line of lines) {
    const p = posted.get(line.id)!;
    await trx
      .updateTable('count_lines')
      .set({
        status: 'posted',
        expected_qty: p.expectedQty,
        variance_qty: line.counted_qty! - p.expectedQty,
        variance_value_micros: p.valueMicros,
        txn_id: p.txnId,
        posted_at: now,
        updated_at: now,
      })
      .where('id', '=', line.id)
      .execute();
  }
  await trx.updateTable('counts').set({ status: 'posted', posted_by: ctx.actor.id, posted_at: now, updated_at: now }).where('id', '=', count.id).execute();
}
