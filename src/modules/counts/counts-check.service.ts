import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { DocumentInvariant } from '../ledger/index.ts';

/**
 * Count invariants for `stockroom check`: every posted line's variance is its counted less its
 * expected quantity, and the ledger moved exactly that (into the bin for a gain, out for a loss,
 * effective at the line's instant); and no posted count has a line left approved but unposted.
 */

const sampleSize = 20;

export async function checkCounts(db: Database): Promise<DocumentInvariant[]> {
  const k = db.kysely;
  const results: DocumentInvariant[] = [];
  const add = (name: string, description: string, violations: Array<Record<string, unknown>>) => results.push({ name, description, ok: violations.length === 0, violations });

  // Net quantity the count's movements brought into each line's bin, signed.
  const moved = k
    .selectFrom('movements as m')
    .select([
      'm.document_line_id as line_id',
      sql<number>`sum(case when m.to_location_id = cl.location_id then m.qty else 0 - m.qty end)`.as('net'),
      sql<number>`sum(case when m.effective_at = cl.counted_at then 0 else 1 end)`.as('off_instant'),
    ])
    .innerJoin('count_lines as cl', 'cl.id', 'm.document_line_id')
    .where('m.document_type', '=', 'count')
    .where('m.kind', '=', 'count')
    .groupBy('m.document_line_id');
  add(
    'count_variances_posted',
    'Every posted count line moved exactly its variance (counted − expected) at the instant it was counted.',
    await k
      .selectFrom('count_lines as c')
      .leftJoin(moved.as('mv'), 'mv.line_id', 'c.id')
      .select(['c.id', 'c.count_id', 'c.counted_qty', 'c.expected_qty', 'c.variance_qty', 'mv.net', 'mv.off_instant'])
      .where('c.status', '=', 'posted')
      .where((eb) =>
        eb.or([
          eb('c.variance_qty', '<>', sql<number>`c.counted_qty - c.expected_qty`),
          eb(sql<number>`coalesce(mv.net, 0) - c.variance_qty`, '<>', 0),
          eb(sql<number>`coalesce(mv.off_instant, 0)`, '>', 0),
        ]),
      )
      .limit(sampleSize)
      .execute(),
  );
  add(
    'posted_counts_complete',
    'No posted count has a line approved, waiting or open but not posted, and every posted line belongs to a posted count.',
    await k
      .selectFrom('count_lines as c')
      .innerJoin('counts as k', 'k.id', 'c.count_id')
      .select(['c.id', 'c.count_id', 'c.status', 'k.status as count_status'])
      .where((eb) =>
        eb.or([
          eb.and([eb('k.status', '=', 'posted'), eb('c.status', 'in', ['approved', 'pending', 'open'])]),
          eb.and([eb('k.status', '<>', 'posted'), eb('c.status', '=', 'posted')]),
        ]),
      )
      .limit(sampleSize)
      .execute(),
  );
  return results;
}
