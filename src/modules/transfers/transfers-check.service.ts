import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { InvariantResult } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';

/**
 * The transit invariant for `stockroom check`: every unit in the `transit` location belongs to a
 * transfer that is still open, and for each transfer equals what it shipped less what it
 * received, scrapped as damaged and wrote off as lost.
 */

const sampleSize = 20;
const transit = VIRTUAL_LOCATION_IDS.transit;

export async function checkTransit(db: Database): Promise<InvariantResult[]> {
  const k = db.kysely;
  const transitNet = sql<number>`case when m.to_location_id = ${transit} then m.qty else 0 - m.qty end`;

  // Transit balances less what transfers put there, per item and lot: every group comes to zero.
  const byLot = k
    .selectFrom('balances as b')
    .select(['b.item_id', 'b.lot_id', 'b.on_hand as delta'])
    .where('b.location_id', '=', transit)
    .unionAll(
      k
        .selectFrom('movements as m')
        .select(['m.item_id', 'm.lot_id', sql<number>`0 - (${transitNet})`.as('delta')])
        .where('m.document_type', '=', 'transfer')
        .where((eb) => eb.or([eb('m.to_location_id', '=', transit), eb('m.from_location_id', '=', transit)])),
    );
  const strays = await k
    .selectFrom(byLot.as('d'))
    .select(['d.item_id', 'd.lot_id', sql<number>`sum(d.delta)`.as('transit_not_from_transfers')])
    .groupBy(['d.item_id', 'd.lot_id'])
    .having(sql`sum(d.delta)`, '<>', 0)
    .limit(sampleSize)
    .execute();

  // Per transfer: the ledger's transit net against the lines' shipped − received − damaged − lost.
  const perTransfer = k
    .selectFrom('movements as m')
    .select(['m.document_id as transfer_id', sql<number>`${transitNet}`.as('delta')])
    .where('m.document_type', '=', 'transfer')
    .where((eb) => eb.or([eb('m.to_location_id', '=', transit), eb('m.from_location_id', '=', transit)]))
    .unionAll(
      k
        .selectFrom('transfer_lines as l')
        .select(['l.transfer_id', sql<number>`0 - (l.qty_shipped - (l.qty_received - l.qty_over) - l.qty_damaged - l.qty_lost)`.as('delta')]),
    );
  const mismatched = await k
    .selectFrom(perTransfer.as('p'))
    .select(['p.transfer_id', sql<number>`sum(p.delta)`.as('ledger_minus_document')])
    .groupBy('p.transfer_id')
    .having(sql`sum(p.delta)`, '<>', 0)
    .limit(sampleSize)
    .execute();

  const closedHolding = await k
    .selectFrom('movements as m')
    .innerJoin('transfers as t', 't.id', 'm.document_id')
    .select(['t.id as transfer_id', 't.number', 't.status', sql<number>`sum(${transitNet})`.as('in_transit')])
    .where('m.document_type', '=', 'transfer')
    .where('t.status', 'in', ['closed', 'cancelled', 'received', 'requested', 'draft', 'picked'])
    .where((eb) => eb.or([eb('m.to_location_id', '=', transit), eb('m.from_location_id', '=', transit)]))
    .groupBy(['t.id', 't.number', 't.status'])
    .having(sql`sum(${transitNet})`, '<>', 0)
    .limit(sampleSize)
    .execute();

  return [
    {
      name: 'transit_belongs_to_open_transfer',
      description: 'Every transit balance was put there by a transfer that is still in transit; closed, cancelled and fully received transfers hold nothing in transit.',
      ok: strays.length === 0 && closedHolding.length === 0,
      violations: [...strays, ...closedHolding],
    },
    {
      name: 'transit_matches_transfers',
      description: 'For each transfer, what it holds in transit equals shipped − received − damaged − lost on its lines.',
      ok: mismatched.length === 0,
      violations: mismatched,
    },
  ];
}
