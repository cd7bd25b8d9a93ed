import { sql } from 'kysely';
import type { ServiceContext } from '../../platform/context.ts';
import { lockSkippingLocked } from '../../platform/db/dialect.ts';
import { transact, type Executor } from '../../platform/db/transaction.ts';
import { onMovementCostsRewritten } from '../ledger/index.ts';

/**
 * Each counter sale line's cost of goods, kept on the line (`sale_lines.cost_micros`) so a
 * month's sales reports add up a column instead of looking up each line's movements. Null means
 * unknown: a line just sold, or one whose sale movements re-costing has since rewritten (the
 * ledger tells us in its transaction, before it writes them). The reports' job fills the unknown
 * ones; readers take the movements for them meanwhile (`lineCost`), so a figure is never stale.
 */

/** A sale line's cost of goods (alias `l`): the kept one, or its sale movements' values while unknown. */
export const lineCost = sql<number>`coalesce(l.cost_micros, (select coalesce(sum(m.value_micros), 0) from movements m where m.document_id = l.sale_id and m.document_line_id = l.id and m.kind = 'sale'))`;

/** Lines filled per transaction by the job. */
const BATCH = 1000;

/**
 * Fills the unknown costs, a batch per transaction, at most `limit` lines a run. On PostgreSQL the
 * batch's lines are locked first (skipping any a re-costing holds) and their movements read in a
 * later statement, so a re-costing either finished before (its values are read) or waits to mark
 * them unknown again after: a cost is never written from values already replaced.
 */
export async function fillSaleLineCosts(ctx: ServiceContext, limit = 50_000): Promise<number> {
  let filled = 0;
  while (filled < limit) {
    const done = await transact(ctx.db, async (trx) => {
      const ids = (await lockSkippingLocked(ctx.db.dialect, trx.selectFrom('sale_lines').select('id').where('cost_micros', 'is', null).orderBy('id').limit(BATCH)).execute()).map((r) => r.id);
      if (ids.length) await sql`update sale_lines set cost_micros = (select coalesce(sum(m.value_micros), 0) from movements m where m.document_id = sale_lines.sale_id and m.document_line_id = sale_lines.id and m.kind = 'sale') where id in (${sql.join(ids)})`.execute(trx);
      return ids.length;
    });
    filled += done;
    if (done < BATCH) break;
  }
  return filled;
}

/** Marks unknown the cost of the sale lines whose sale movements are among those being re-costed. */
async function forgetCosts(trx: Executor, movementIds: readonly string[]): Promise<void> {
  for (let i = 0; i < movementIds.length; i += 500) {
    const lines = trx.selectFrom('movements').select('document_line_id').where('id', 'in', movementIds.slice(i, i + 500)).where('kind', '=', 'sale').where('document_line_id', 'is not', null);
    // Already unknown ones too: the update takes their row locks, so a job filling them finishes first.
    await trx.updateTable('sale_lines').set({ cost_micros: null }).where('id', 'in', lines).execute();
  }
}

onMovementCostsRewritten(forgetCosts);
