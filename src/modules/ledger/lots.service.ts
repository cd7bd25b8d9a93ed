import type { LotRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import { newId } from '../../platform/ids.ts';
import { LedgerError } from './ledger.errors.ts';

/**
 * Lots and serial numbers are records of their own: an item, a code, an expiry date. A serial
 * is a lot of exactly one unit. Stock without a lot carries lot_id ''.
 */
export const NO_LOT = '';

export interface LotSpec {
  code: string;
  expiresOn?: string | null;
}

/** Finds the item's lot with this code, creating it when new; a known lot keeps its expiry. */
export async function findOrCreateLot(trx: Trx, itemId: string, kind: 'lot' | 'serial', spec: LotSpec, now: number): Promise<LotRow> {
  const existing = await trx.selectFrom('lots').selectAll().where('item_id', '=', itemId).where('code', '=', spec.code).executeTakeFirst();
  if (existing) {
    if (spec.expiresOn && existing.expires_on && spec.expiresOn !== existing.expires_on) {
      throw new LedgerError('lot_invalid', `Lot ${spec.code} is recorded with expiry ${existing.expires_on}, not ${spec.expiresOn}.`, {
        extra: { lot_id: existing.id },
      });
    }
    if (spec.expiresOn && !existing.expires_on) {
      await trx.updateTable('lots').set({ expires_on: spec.expiresOn }).where('id', '=', existing.id).execute();
      return { ...existing, expires_on: spec.expiresOn };
    }
    return existing;
  }
  const row: LotRow = { id: newId('lot'), item_id: itemId, code: spec.code, kind, expires_on: spec.expiresOn ?? null, created_at: now };
  await trx.insertInto('lots').values(row).onConflict((oc) => oc.columns(['item_id', 'code']).doNothing()).execute();
  // A concurrent writer may have created it first; read back whichever row won.
  return trx.selectFrom('lots').selectAll().where('item_id', '=', itemId).where('code', '=', spec.code).executeTakeFirstOrThrow();
}

export async function findLots(db: Executor, ids: readonly string[]): Promise<Map<string, LotRow>> {
  const unique = [...new Set(ids)].filter((id) => id !== NO_LOT);
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('lots').selectAll().where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function listLotsOfItem(db: Executor, itemId: string): Promise<LotRow[]> {
  return db.selectFrom('lots').selectAll().where('item_id', '=', itemId).orderBy('expires_on').orderBy('code').execute();
}

/** Lots found by their codes, keyed `${itemId}\u0000${code}`; codes that name no lot are left out. */
export async function findLotsByCode(db: Executor, refs: ReadonlyArray<{ itemId: string; code: string }>): Promise<Map<string, LotRow>> {
  if (refs.length === 0) return new Map();
  const rows = await db
    .selectFrom('lots')
    .selectAll()
    .where('item_id', 'in', [...new Set(refs.map((r) => r.itemId))])
    .where('code', 'in', [...new Set(refs.map((r) => r.code))])
    .execute();
  return new Map(rows.map((r) => [`${r.item_id}\u0000${r.code}`, r]));
}
