import { sql } from 'kysely';
import type { Trx } from './transaction.ts';

/**
 * Gap-free document numbers (ADJ-000042). The counter row is locked until the transaction ends,
 * so documents of one kind number in commit order; use it for documents, not for the hot path.
 */
export async function nextNumber(trx: Trx, name: string): Promise<number> {
  const row = await trx
    .insertInto('counters')
    .values({ name, value: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql`counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}

export function formatDocumentNumber(prefix: string, value: number): string {
  return `${prefix}-${String(value).padStart(6, '0')}`;
}
