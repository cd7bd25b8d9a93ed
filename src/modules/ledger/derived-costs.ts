import type { Trx } from '../../platform/db/transaction.ts';
import { isOneOf, listGroups } from '../../platform/db/id-lists.ts';
import { newId } from '../../platform/ids.ts';
import { invariant } from '../../platform/errors.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { revalueItem } from '../costing/index.ts';
import { loadItemRules } from './item-rules.ts';
import { readValuedHistory, writeCostUpdates } from './valuation.ts';

/**
 * Derived costs: the cost of stock that came in (a batch of loaves, the parts of a broken-up
 * kit) is the value of other movements (the flour and butter it consumed, the kit taken apart)
 * plus a fixed amount (labour, overhead), shared over the outputs by weight. A derivation is
 * recorded when the document posts. When re-costing later changes the value of a source (a
 * back-dated receipt of flour, a freight bill), the outputs' inbound costs are derived again and
 * their items re-valued, which changes the cost of whatever was sold from them, and so on down
 * a multi-level recipe. Values are exact to the micro: a derived value is split by largest
 * remainder and each output's value is carried as a unit cost plus a remainder in micros.
 */

/** A recipe that nests deeper than this is refused by production; the walk stops here as an assertion. */
const maxDepth = 16;

export interface DerivationOutput {
  movementId: string;
  itemId: string;
  qty: number;
  /** Relative share of the derived value (1 each to split evenly by position). */
  weight: number;
}

export interface DerivationInput {
  documentType: string;
  documentId: string;
  extraMicros: number;
  sourceMovementIds: readonly string[];
  outputs: readonly DerivationOutput[];
}

/** Splits `total` over the weights exactly: shares by largest remainder, ties to the earlier output. */
export function splitByWeight(total: number, weights: readonly number[]): number[] {
  invariant(weights.length > 0, 'a derivation has at least one output');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) {
    // No weights to go by: everything to the first output.
    return weights.map((_, i) => (i === 0 ? total : 0));
  }
  const big = BigInt(total);
  const shares = weights.map((w) => (big * BigInt(w)) / BigInt(sum));
  const remainders = weights.map((w, i) => ({ i, r: (big * BigInt(w)) % BigInt(sum) }));
  let left = big - shares.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left <= 0n) break;
    shares[i] = shares[i]! + 1n;
    left -= 1n;
  }
  return shares.map(Number);
}

/** A value for `qty` carried as a unit cost per base unit (rounded down) plus the micros left over. */
export function inboundCostOf(valueMicros: number, qty: number): { unitCostMicros: number; landedMicros: number } {
  invariant(qty > 0, 'an inbound movement has a positive quantity');
  const unitCostMicros = Math.max(0, Number((BigInt(valueMicros) * BigInt(QTY_SCALE)) / BigInt(qty)));
  return { unitCostMicros, landedMicros: valueMicros - mulDiv(qty, unitCostMicros, QTY_SCALE) };
}

/** Records that the outputs' cost derives from the sources; call after both were posted. */
export async function recordCostDerivation(trx: Trx, input: DerivationInput, now: number): Promise<string> {
  const id = newId('cdv', now);
  await trx.insertInto('cost_derivations').values({ id, document_type: input.documentType, document_id: input.documentId, extra_micros: input.extraMicros, created_at: now }).execute();
  const sources = [...new Set(input.sourceMovementIds)];
  for (let i = 0; i < sources.length; i += 500) {
    await trx.insertInto('cost_derivation_sources').values(sources.slice(i, i + 500).map((movementId) => ({ derivation_id: id, movement_id: movementId }))).execute();
  }
  await trx
    .insertInto('cost_derivation_outputs')
    .values(input.outputs.map((o, position) => ({ derivation_id: id, movement_id: o.movementId, item_id: o.itemId, qty: o.qty, weight: o.weight, position })))
    .execute();
  return id;
}

/**
 * After movement costs changed, derives again the inbound costs that depend on them and
 * re-values the items whose inbound costs moved (which may change more costs, walked in turn).
 */
export async function propagateDerivedCosts(trx: Trx, changedMovementIds: readonly string[], now: number, depth: number): Promise<void> {
  if (changedMovementIds.length === 0) return;
  const derivationIds = new Set<string>();
  // One statement for a replay's thousand rewritten costs on PostgreSQL (an array), lists of 500 on SQLite.
  for (const group of listGroups(trx, changedMovementIds)) {
    const rows = await trx.selectFrom('cost_derivation_sources').select('derivation_id').where(isOneOf(trx, 'movement_id', group)).execute();
    for (const r of rows) derivationIds.add(r.derivation_id);
  }
  if (derivationIds.size === 0) return;
  invariant(depth < maxDepth, `derived costs nest more than ${maxDepth} levels deep`);
  const itemsToRevalue = new Set<string>();
  for (const derivationId of [...derivationIds].sort()) {
    for (const itemId of await deriveAgain(trx, derivationId)) itemsToRevalue.add(itemId);
  }
  const items = [...itemsToRevalue].sort();
  const rules = await loadItemRules(trx, items);
  for (const itemId of items) {
    const updates = await revalueItem(trx, itemId, rules.get(itemId)!.costingMethod, readValuedHistory, now);
    await writeCostUpdates(trx, updates, now, depth + 1);
  }
}

/** Derives one derivation's outputs again; returns the items whose inbound cost changed. */
async function deriveAgain(trx: Trx, derivationId: string): Promise<string[]> {
  const derivation = await trx.selectFrom('cost_derivations').select('extra_micros').where('id', '=', derivationId).executeTakeFirstOrThrow();
  const sourceValue = await trx
    .selectFrom('cost_derivation_sources as s')
    .innerJoin('movements as m', 'm.id', 's.movement_id')
    .select((eb) => eb.fn.sum<number | string>('m.value_micros').as('value'))
    .where('s.derivation_id', '=', derivationId)
    .executeTakeFirst();
  const total = Number(sourceValue?.value ?? 0) + derivation.extra_micros;
  const outputs = await trx
    .selectFrom('cost_derivation_outputs as o')
    .innerJoin('inbound_costs as c', 'c.movement_id', 'o.movement_id')
    .select(['o.movement_id', 'o.item_id', 'o.qty', 'o.weight', 'c.unit_cost_micros', 'c.landed_micros'])
    .where('o.derivation_id', '=', derivationId)
    .orderBy('o.position')
    .execute();
  if (outputs.length === 0) return [];
  const values = splitByWeight(total, outputs.map((o) => o.weight));
  const changed: string[] = [];
  for (const [i, o] of outputs.entries()) {
    const cost = inboundCostOf(values[i]!, o.qty);
    if (cost.unitCostMicros === o.unit_cost_micros && cost.landedMicros === o.landed_micros) continue;
    await trx.updateTable('inbound_costs').set({ unit_cost_micros: cost.unitCostMicros, landed_micros: cost.landedMicros }).where('movement_id', '=', o.movement_id).execute();
    changed.push(o.item_id);
  }
  return changed;
}
