import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { DocumentInvariant } from '../ledger/index.ts';
import { PRODUCTION_DOCUMENT } from './production-orders.service.ts';

/**
 * Production's invariants for `stockroom check`: each order's lines and output agree with the
 * consumption and production movements posted for it; only started orders hold reservations;
 * and value is conserved through production: what each derivation put into stock equals what
 * it consumed plus its labour and overhead, to the micro.
 */

const sampleSize = 20;

export async function checkProduction(db: Database): Promise<DocumentInvariant[]> {
  const k = db.kysely;
  const perLine = k
    .selectFrom('movements as m')
    .select(['m.document_line_id as line_id', 'm.qty as delta'])
    .where('m.document_type', '=', PRODUCTION_DOCUMENT)
    .where('m.kind', '=', 'consumption')
    .unionAll(k.selectFrom('production_order_lines as l').select(['l.id as line_id', sql<number>`0 - l.qty_consumed`.as('delta')]));
  const lineMismatch = await k
    .selectFrom(perLine.as('d'))
    .select(['d.line_id', sql<number>`sum(d.delta)`.as('ledger_minus_document')])
    .groupBy('d.line_id')
    .having(sql`sum(d.delta)`, '<>', 0)
    .limit(sampleSize)
    .execute();
  const perOrder = k
    .selectFrom('movements as m')
    .select(['m.document_id as order_id', 'm.qty as delta'])
    .where('m.document_type', '=', PRODUCTION_DOCUMENT)
    .where('m.kind', '=', 'production')
    .unionAll(k.selectFrom('production_orders as o').select(['o.id as order_id', sql<number>`0 - o.qty_produced`.as('delta')]));
  const outputMismatch = await k
    .selectFrom(perOrder.as('d'))
    .select(['d.order_id', sql<number>`sum(d.delta)`.as('ledger_minus_document')])
    .groupBy('d.order_id')
    .having(sql`sum(d.delta)`, '<>', 0)
    .limit(sampleSize)
    .execute();

  const strayReservations = await k
    .selectFrom('reservations as r')
    .innerJoin('production_orders as o', 'o.id', 'r.document_id')
    .select(['o.id as order_id', 'o.number', 'o.status', 'r.id as reservation_id', 'r.qty'])
    .where('r.document_type', '=', PRODUCTION_DOCUMENT)
    .where('o.status', '<>', 'started')
    .limit(sampleSize)
    .execute();

  const values = k
    .selectFrom('cost_derivation_outputs as o')
    .innerJoin('movements as m', 'm.id', 'o.movement_id')
    .select(['o.derivation_id', sql<number>`coalesce(m.value_micros, 0)`.as('delta')])
    .unionAll(
      k
        .selectFrom('cost_derivation_sources as s')
        .innerJoin('movements as m', 'm.id', 's.movement_id')
        .select(['s.derivation_id', sql<number>`0 - coalesce(m.value_micros, 0)`.as('delta')]),
    )
    .unionAll(k.selectFrom('cost_derivations as d').innerJoin('cost_derivation_outputs as o', 'o.derivation_id', 'd.id').where('o.position', '=', 0).select(['d.id as derivation_id', sql<number>`0 - d.extra_micros`.as('delta')]));
  const unbalanced = await k
    .selectFrom(values.as('v'))
    .select(['v.derivation_id', sql<number>`sum(v.delta)`.as('output_minus_inputs')])
    .groupBy('v.derivation_id')
    .having(sql`sum(v.delta)`, '<>', 0)
    .limit(sampleSize)
    .execute();

  return [
    {
      name: 'production_matches_ledger',
      description: 'Each production order line consumed what its consumption movements say, and each order produced what its production movements say.',
      ok: lineMismatch.length === 0 && outputMismatch.length === 0,
      violations: [...lineMismatch, ...outputMismatch],
    },
    {
      name: 'production_reservations_open',
      description: 'Only started production orders hold reservations; planned, completed, closed and cancelled ones hold none.',
      ok: strayReservations.length === 0,
      violations: strayReservations,
    },
    {
      name: 'production_value_conserved',
      description: 'What each production or disassembly put into stock is valued at exactly what it consumed plus its labour and overhead.',
      ok: unbalanced.length === 0,
      violations: unbalanced,
    },
  ];
}
