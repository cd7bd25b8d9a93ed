import { sql } from 'kysely';
import type { Executor } from '../../platform/db/transaction.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';

/**
 * What a transfer has in transit, read from the ledger itself rather than kept beside it: the
 * movements of the transfer into the transit location less those out of it, per line and lot.
 * Every transit movement of a transfer names its line, so this is exact.
 */

export interface TransitLot {
  lotId: string;
  lotCode?: string | null;
  qty: number;
}

const transit = VIRTUAL_LOCATION_IDS.transit;

export async function transitByLine(db: Executor, transferIds: readonly string[]): Promise<Map<string, TransitLot[]>> {
  if (transferIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('movements')
    .select([
      'document_line_id',
      'lot_id',
      sql<number>`sum(case when to_location_id = ${transit} then qty else 0 - qty end)`.as('qty'),
    ])
    .where('document_type', '=', 'transfer')
    .where('document_id', 'in', [...transferIds])
    .where((eb) => eb.or([eb('to_location_id', '=', transit), eb('from_location_id', '=', transit)]))
    .groupBy(['document_line_id', 'lot_id'])
    .orderBy('document_line_id')
    .orderBy('lot_id')
    .execute();
  const byLine = new Map<string, TransitLot[]>();
  for (const r of rows) {
    const qty = Number(r.qty);
    if (qty === 0 || r.document_line_id === null) continue;
    byLine.set(r.document_line_id, [...(byLine.get(r.document_line_id) ?? []), { lotId: r.lot_id, qty }]);
  }
  return byLine;
}
