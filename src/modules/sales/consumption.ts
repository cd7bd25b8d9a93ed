import type { ItemRow } from '../../platform/db/schema.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { componentsOf, findItems, type ModifierComponent } from '../catalog/index.ts';
import { SalesError } from './sales.errors.ts';

/**
 * What a line consumes. A stocked item is its own part. A non-stocked item with components (a
 * gift basket, a latte) consumes its components, scaled by the quantity sold; nested bundles are
 * expanded all the way down. Modifiers change the top level's components first: they add some,
 * and replace or remove some of the item's own (oat milk instead of whole milk). On a stocked
 * item a modifier can only add (its own components were used when it was made).
 *
 * Exactness: a part's quantity is computed as one fraction over all levels
 * (qty × c1 × c2 … ÷ 1000^depth) and rounded once, half away from zero, to the thousandth of the
 * part's base unit. A latte (18 g of beans, 0.2 l of milk) sold 3 times consumes exactly 54 g and
 * 0.6 l; a recipe of 0.001 kg of salt per loaf sold as half a loaf consumes 0.001 kg (0.0005
 * rounded up). A part that rounds to nothing is left out.
 */

export interface Part {
  itemId: string;
  /** Thousandths of the part's base unit, > 0. */
  qty: number;
}

const maxDepth = 16;
const scale = BigInt(QTY_SCALE);

/** Loads every item the lines can reach through components and modifiers, one query per level of nesting. */
export async function loadConsumables(db: Executor, known: Map<string, ItemRow>, extraIds: readonly string[]): Promise<Map<string, ItemRow>> {
  const items = new Map(known);
  let frontier = new Set(extraIds.filter((id) => !items.has(id)));
  for (const item of known.values()) if (item.stocked === 0) for (const c of componentsOf(item)) if (!items.has(c.item_id)) frontier.add(c.item_id);
  for (let depth = 0; frontier.size > 0; depth += 1) {
    if (depth > maxDepth) throw new SalesError('sale_line_invalid', `Components nest more than ${maxDepth} levels deep.`);
    const found = await findItems(db, [...frontier]);
    const next = new Set<string>();
    for (const item of found.values()) {
      items.set(item.id, item);
      if (item.stocked === 0) for (const c of componentsOf(item)) if (!items.has(c.item_id) && !found.has(c.item_id)) next.add(c.item_id);
    }
    frontier = next;
  }
  return items;
}

interface Fraction {
  num: bigint;
  /** A power of 1000. */
  den: bigint;
}

/**
 * The parts one line consumes: the item sold, `qty` thousandths of it, with the modifiers chosen
 * (each applied once per base unit). `sellArchived` is for a sale replayed from an offline till:
 * it already happened, so items archived since still leave stock.
 */
export function expandLine(itemId: string, qty: number, modifiers: ReadonlyArray<readonly ModifierComponent[]>, items: Map<string, ItemRow>, sellArchived = false): Part[] {
  const totals = new Map<string, Fraction>();
  const add = (id: string, f: Fraction) => {
    const current = totals.get(id);
    if (!current) return totals.set(id, f);
    const den = current.den > f.den ? current.den : f.den;
    totals.set(id, { num: current.num * (den / current.den) + f.num * (den / f.den), den });
  };
  const visit = (id: string, f: Fraction, depth: number, effects: ReadonlyArray<readonly ModifierComponent[]>) => {
    if (depth > maxDepth) throw new SalesError('sale_line_invalid', `Components nest more than ${maxDepth} levels deep.`);
    const item = items.get(id);
    if (!item) throw new SalesError('sale_line_invalid', `No item ${id}.`);
    if (item.status !== 'active' && !sellArchived) throw new SalesError('sale_line_invalid', `${item.sku} is archived.`);
    const stocked = item.stocked === 1;
    let components: Array<{ itemId: string; perUnit: number }> = stocked ? [] : componentsOf(item).map((c) => ({ itemId: c.item_id, perUnit: c.qty }));
    if (stocked) add(id, f);
    for (const effect of effects.flat()) components = applyEffect(components, effect, stocked);
    for (const c of components) visit(c.itemId, { num: f.num * BigInt(c.perUnit), den: f.den * scale }, depth + 1, []);
  };
  visit(itemId, { num: BigInt(qty), den: 1n }, 0, modifiers);
  const parts: Part[] = [];
  for (const [id, f] of totals) {
    const rounded = roundHalfUp(f);
    if (rounded > 0) parts.push({ itemId: id, qty: rounded });
  }
  return parts;
}

function applyEffect(components: Array<{ itemId: string; perUnit: number }>, effect: ModifierComponent, stocked: boolean): Array<{ itemId: string; perUnit: number }> {
  if (effect.replaces_item_id === null || stocked) {
    if (effect.item_id === null || effect.qty === null) return components;
    return [...components, { itemId: effect.item_id, perUnit: effect.qty }];
  }
  const replaced = components.find((c) => c.itemId === effect.replaces_item_id);
  const rest = components.filter((c) => c !== replaced);
  if (effect.item_id === null) return rest;
  const perUnit = effect.qty ?? replaced?.perUnit;
  if (perUnit === undefined) return rest;
  return [...rest, { itemId: effect.item_id, perUnit }];
}

function roundHalfUp(f: Fraction): number {
  const q = (f.num * 2n + f.den) / (2n * f.den);
  if (q > BigInt(Number.MAX_SAFE_INTEGER)) throw new SalesError('sale_line_invalid', 'A component quantity is too large.');
  return Number(q);
}

/**
 * The parts of `qty` out of a line of `lineQty` whose parts are `parts`: cumulative, so the
 * pieces of a line given out one by one (partial shipments, returns, cancellations) always add
 * up to its parts exactly. `done` is how much of the line was given out before.
 */
export function partsOfShare(parts: readonly Part[], lineQty: number, done: number, qty: number): Part[] {
  const upTo = (n: number, p: Part) => Number((BigInt(p.qty) * BigInt(n) * 2n + BigInt(lineQty)) / (2n * BigInt(lineQty)));
  return parts.map((p) => ({ itemId: p.itemId, qty: upTo(done + qty, p) - upTo(done, p) })).filter((p) => p.qty > 0);
}
