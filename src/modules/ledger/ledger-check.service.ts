import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { checkCosting } from '../costing/index.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { runDocumentChecks } from './document-checks.ts';

/**
 * The invariants of the stock ledger (and of the costing drawn from it), checked against the
 * whole database. `stockroom check` runs these and the tests run them after every step of
 * their random sequences.
 */

export interface InvariantResult {
  name: string;
  description: string;
  ok: boolean;
  /** Up to `sampleSize` offending rows, enough to find the problem. */
  violations: Array<Record<string, unknown>>;
}

export interface LedgerCheckReport {
  ok: boolean;
  checkedAt: number;
  counts: { movements: number; balances: number; reservations: number };
  invariants: InvariantResult[];
}

const sampleSize = 20;

export async function checkLedger(db: Database, now = Date.now()): Promise<LedgerCheckReport> {
  const k = db.kysely;
  const invariants: InvariantResult[] = [];
  const add = (name: string, description: string, violations: Array<Record<string, unknown>>) =>
    invariants.push({ name, description, ok: violations.length === 0, violations });

  add(
    'conservation',
    'For every item, the balances over all locations, virtual ones included, sum to zero.',
    await k
      .selectFrom('balances')
      .select(['item_id', sql<number>`sum(on_hand)`.as('total')])
      .groupBy('item_id')
      .having(sql`sum(on_hand)`, '<>', 0)
      .limit(sampleSize)
      .execute(),
  );

  // Ledger sums minus balances, per (item, location, lot): every group must come to zero.
  const ledgerVersusBalances = k
    .selectFrom('movements')
    .select(['item_id', 'to_location_id as location_id', 'lot_id', 'qty as delta'])
    .unionAll(k.selectFrom('movements').select(['item_id', 'from_location_id as location_id', 'lot_id', sql<number>`0 - qty`.as('delta')]))
    .unionAll(k.selectFrom('balances').select(['item_id', 'location_id', 'lot_id', sql<number>`0 - on_hand`.as('delta')]));
  add(
    'balances_match_ledger',
    'Every balance equals the sum of the movements into its location minus those out of it.',
    await k
      .selectFrom(ledgerVersusBalances.as('d'))
      .select(['d.item_id', 'd.location_id', 'd.lot_id', sql<number>`sum(d.delta)`.as('ledger_minus_balance')])
      .groupBy(['d.item_id', 'd.location_id', 'd.lot_id'])
      .having(sql`sum(d.delta)`, '<>', 0)
      .limit(sampleSize)
      .execute(),
  );

  add(
    'strict_not_negative',
    'No balance at a strict location is below zero.',
    await k
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .select(['b.item_id', 'b.location_id', 'b.lot_id', 'b.on_hand'])
      .where('l.kind', '<>', 'virtual')
      .where('l.negative_stock', '=', 'strict')
      .where('b.on_hand', '<', 0)
      .limit(sampleSize)
      .execute(),
  );

  add(
    'reserved_within_on_hand',
    'At a strict location nothing is promised beyond what is on hand, and no promise is negative.',
    await k
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .select(['b.item_id', 'b.location_id', 'b.lot_id', 'b.on_hand', 'b.reserved'])
      .where((eb) => eb.or([eb('b.reserved', '<', 0), eb.and([eb('l.negative_stock', '=', 'strict'), eb('b.reserved', '>', eb.ref('b.on_hand'))])]))
      .limit(sampleSize)
      .execute(),
  );

  const reservationSums = k
    .selectFrom('reservations')
    .select(['item_id', 'location_id', 'lot_id', 'qty as delta'])
    .unionAll(k.selectFrom('balances').select(['item_id', 'location_id', 'lot_id', sql<number>`0 - reserved`.as('delta')]));
  add(
    'reserved_matches_reservations',
    'Every balance’s reserved quantity equals the sum of its open reservations.',
    await k
      .selectFrom(reservationSums.as('r'))
      .select(['r.item_id', 'r.location_id', 'r.lot_id', sql<number>`sum(r.delta)`.as('reservations_minus_reserved')])
      .groupBy(['r.item_id', 'r.location_id', 'r.lot_id'])
      .having(sql`sum(r.delta)`, '<>', 0)
      .limit(sampleSize)
      .execute(),
  );

  add(
    'serial_one_unit',
    'A serial number is on hand in one place at most, one unit.',
    await k
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .innerJoin('lots as lt', 'lt.id', 'b.lot_id')
      .select(['b.item_id', 'b.lot_id', 'lt.code', sql<number>`sum(b.on_hand)`.as('on_hand')])
      .where('lt.kind', '=', 'serial')
      .where('l.kind', '<>', 'virtual')
      .groupBy(['b.item_id', 'b.lot_id', 'lt.code'])
      .having(sql`sum(b.on_hand)`, '>', QTY_SCALE)
      .limit(sampleSize)
      .execute(),
  );

  add(
    'movements_well_formed',
    'Every movement moves a positive quantity of a stocked item between two different locations that exist.',
    await k
      .selectFrom('movements as m')
      .leftJoin('items as i', 'i.id', 'm.item_id')
      .leftJoin('locations as lf', 'lf.id', 'm.from_location_id')
      .leftJoin('locations as lt', 'lt.id', 'm.to_location_id')
      .select(['m.id', 'm.item_id', 'm.from_location_id', 'm.to_location_id', 'm.qty'])
      .where((eb) =>
        eb.or([
          eb('m.qty', '<=', 0),
          eb('m.from_location_id', '=', eb.ref('m.to_location_id')),
          eb('i.id', 'is', null),
          eb('i.stocked', '=', 0),
          eb('lf.id', 'is', null),
          eb('lt.id', 'is', null),
        ]),
      )
      .limit(sampleSize)
      .execute(),
  );

  add(
    'transactions_have_movements',
    'Every ledger transaction posted at least one movement.',
    await k
      .selectFrom('ledger_transactions as t')
      .select(['t.id', 't.document_type', 't.document_id'])
      .where((eb) => eb.not(eb.exists(eb.selectFrom('movements as m').select('m.id').whereRef('m.txn_id', '=', 't.id'))))
      .limit(sampleSize)
      .execute(),
  );

  invariants.push(...(await checkCosting(db)));
  invariants.push(...(await runDocumentChecks(db)));

  const [movements, balances, reservations] = await Promise.all([
    k.selectFrom('movements').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    k.selectFrom('balances').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    k.selectFrom('reservations').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    ok: invariants.every((i) => i.ok),
    checkedAt: now,
    counts: { movements: Number(movements.n), balances: Number(balances.n), reservations: Number(reservations.n) },
    invariants,
  };
}
