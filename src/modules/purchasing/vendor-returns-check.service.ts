import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { DocumentInvariant } from '../ledger/index.ts';

/**
 * Return-to-vendor invariants for `stockroom check`: every line of a posted return moved exactly
 * its quantity from its bin to the vendor, at the value recorded on the line (what the credit and
 * the books were worked out from); a draft or cancelled return moved nothing.
 */

const sampleSize = 20;

export async function checkVendorReturns(db: Database): Promise<DocumentInvariant[]> {
  const k = db.kysely;
  const moved = k
    .selectFrom('movements as m')
    .select(['m.document_line_id as line_id', sql<number>`sum(m.qty)`.as('qty'), sql<number>`sum(coalesce(m.value_micros, 0))`.as('value'), sql<number>`count(*)`.as('n')])
    .where('m.document_type', '=', 'vendor_return')
    .where('m.kind', '=', 'vendor_return')
    .groupBy('m.document_line_id');
  const violations = await k
    .selectFrom('vendor_return_lines as l')
    .innerJoin('vendor_returns as r', 'r.id', 'l.return_id')
    .leftJoin(moved.as('mv'), 'mv.line_id', 'l.id')
    .select(['l.id', 'l.return_id', 'r.status', 'l.qty_base', 'l.value_micros', 'mv.qty', 'mv.value'])
    .where((eb) =>
      eb.or([
        eb.and([eb('r.status', '=', 'posted'), eb.or([eb(sql<number>`coalesce(mv.qty, 0) - l.qty_base`, '<>', 0), eb(sql<number>`coalesce(mv.value, 0) - coalesce(l.value_micros, 0)`, '<>', 0)])]),
        eb.and([eb('r.status', '<>', 'posted'), eb(sql<number>`coalesce(mv.n, 0)`, '>', 0)]),
      ]),
    )
    .limit(sampleSize)
    .execute();
  return [{ name: 'vendor_returns_posted', description: 'Every posted return to vendor moved exactly its lines to the vendor at the value on the line; no draft or cancelled one moved anything.', ok: violations.length === 0, violations }];
}
