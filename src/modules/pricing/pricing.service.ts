import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { newId } from '../../platform/ids.ts';
import { MICROS_PER_UNIT, minorUnitMicros } from '../../platform/money.ts';
import { readSettings } from '../settings/index.ts';
import { describeRule, marginPpm, priceFromCost, type PriceRule, type Rounding } from './price-calculator.ts';
import { PricingError } from './pricing.errors.ts';
import type { ApplyPricingInput, PricingRuleInput } from './pricing.schema.ts';

/**
 * The pricing calculator over the catalogue: a preview prices every selected item from one of
 * its costs and shows the margin before and after; applying writes the new prices and one price
 * history row per changed item in the same transaction. Costs are read from costing's own table
 * (`item_costs`: last receipt cost and the average pool) and from the preferred vendor's price.
 */

export type CostBasis = 'last' | 'average' | 'replacement';
const selectionMax = 1000;

export interface PricingLine {
  itemId: string;
  sku: string;
  name: string;
  cost: number | null;
  priceBefore: number | null;
  priceAfter: number | null;
  marginBefore: number | null;
  marginAfter: number | null;
  outcome: 'changed' | 'unchanged' | 'no_cost';
}

export interface PricingResult {
  rule: string;
  applied: boolean;
  lines: PricingLine[];
}

function ruleOf(input: PricingRuleInput): PriceRule {
  if (input.method === 'margin' && input.percent >= 1_000_000) {
    throw new PricingError('pricing_rule_invalid', 'A target margin must be below 100 %.', { errors: [{ field: 'body.percent', code: 'out_of_range', message: 'must be below 100 for a margin' }] });
  }
  return { method: input.method, ratePpm: input.percent, rounding: roundingOf(input.rounding) };
}

function roundingOf(r: PricingRuleInput['rounding']): Rounding {
  const one = MICROS_PER_UNIT;
  switch (r.kind) {
    case 'none':
      return { kind: 'none' };
    case 'nearest':
      return { kind: 'nearest', step: r.step };
    case 'ending':
      return { kind: 'ending', ending: checkedEnding(r.ending, r.step ?? one, 'body.rounding.ending') };
    case 'bands': {
      const bands = r.bands.map((b, i) => ({ below: b.below ?? null, ...checkedEnding(b.ending, b.step ?? one, `body.rounding.bands.${i}.ending`) }));
      bands.forEach((b, i) => {
        const previous = i === 0 ? 0 : bands[i - 1]!.below;
        if ((b.below === null && i !== bands.length - 1) || (b.below !== null && previous !== null && b.below <= previous)) {
          throw new PricingError('pricing_rule_invalid', 'Price bands go from low to high, and only the last may leave out `below`.', {
            errors: [{ field: `body.rounding.bands.${i}.below`, code: 'out_of_order', message: 'must be above the previous band' }],
          });
        }
      });
      return { kind: 'bands', bands };
    }
  }
}

function checkedEnding(ending: number, step: number, field: string) {
  if (ending >= step) throw new PricingError('pricing_rule_invalid', 'An ending must be less than its step (0.99 of 1.00).', { errors: [{ field, code: 'out_of_range', message: 'must be less than the step' }] });
  return { ending, step };
}

interface SelectedItem {
  id: string;
  sku: string;
  name: string;
  price_micros: number | null;
}

async function selectItems(db: Executor, selection: PricingRuleInput['selection']): Promise<SelectedItem[]> {
  if (!selection.item_ids && !selection.category && !selection.vendor_id) {
    throw new PricingError('pricing_selection_empty', 'Name items, a category or a vendor to price.', { errors: [{ field: 'body.selection', code: 'required', message: 'is empty' }] });
  }
  let query = db.selectFrom('items').select(['id', 'sku', 'name', 'price_micros']).where('status', '=', 'active');
  if (selection.item_ids) query = query.where('id', 'in', selection.item_ids);
  if (selection.category) query = query.where('category', '=', selection.category);
  if (selection.vendor_id) {
    const vendorId = selection.vendor_id;
    query = query.where('id', 'in', (eb) => eb.selectFrom('vendor_items').select('item_id').where('vendor_id', '=', vendorId));
  }
  const items = await query.orderBy('sku').limit(selectionMax + 1).execute();
  if (items.length > selectionMax) throw new PricingError('pricing_rule_invalid', `A repricing covers at most ${selectionMax} items; narrow the selection.`);
  if (items.length === 0) throw new PricingError('pricing_selection_empty', 'No active item matches the selection.');
  return items;
}

/** Cost per base unit by basis; an item without that kind of cost is left out of the map. */
export async function costsOf(db: Executor, itemIds: string[], basis: CostBasis): Promise<Map<string, number>> {
  const costs = new Map<string, number>();
  if (itemIds.length === 0) return costs;
  if (basis !== 'replacement') {
    const rows = await db.selectFrom('item_costs').select(['item_id', 'pool_qty', 'pool_value_micros', 'last_unit_cost_micros']).where('item_id', 'in', itemIds).execute();
    for (const r of rows) {
      if (basis === 'last') costs.set(r.item_id, Number(r.last_unit_cost_micros));
      else if (Number(r.pool_qty) > 0) costs.set(r.item_id, mulDiv(Number(r.pool_value_micros), 1000, Number(r.pool_qty)));
    }
    return costs;
  }
  // The preferred vendor's price per purchase unit, brought to a base unit; only vendors priced in
  // the shop's own currency, since a replacement cost should not move with today's exchange rate.
  const { base_currency } = await readSettings(db);
  const rows = await db
    .selectFrom('vendor_items')
    .innerJoin('vendors', 'vendors.id', 'vendor_items.vendor_id')
    .innerJoin('items', 'items.id', 'vendor_items.item_id')
    .select(['vendor_items.item_id', 'vendor_items.unit_cost_micros', 'vendor_items.purchase_unit', 'vendor_items.preferred', 'items.base_unit', 'items.units_json'])
    .where('vendor_items.item_id', 'in', itemIds)
    .where('vendors.currency', '=', base_currency)
    .orderBy('vendor_items.preferred', 'desc')
    .orderBy('vendor_items.vendor_id')
    .execute();
  for (const r of rows) {
    if (costs.has(r.item_id)) continue;
    const units = JSON.parse(r.units_json) as { name: string; factor: number }[];
    const factor = r.purchase_unit === r.base_unit ? 1000 : units.find((u) => u.name === r.purchase_unit)?.factor;
    if (factor) costs.set(r.item_id, mulDiv(Number(r.unit_cost_micros), 1000, factor));
  }
  return costs;
}

async function price(db: Executor, input: PricingRuleInput): Promise<{ rule: PriceRule; lines: PricingLine[] }> {
  const rule = ruleOf(input);
  const items = await selectItems(db, input.selection);
  const costs = await costsOf(db, items.map((i) => i.id), input.cost_basis);
  const minor = minorUnitMicros((await readSettings(db)).base_currency);
  const lines = items.map((item): PricingLine => {
    const cost = costs.get(item.id) ?? null;
    const before = item.price_micros === null ? null : Number(item.price_micros);
    const after = cost === null ? null : priceFromCost(cost, rule, minor);
    return {
      itemId: item.id,
      sku: item.sku,
      name: item.name,
      cost,
      priceBefore: before,
      priceAfter: after ?? before,
      marginBefore: marginPpm(before, cost),
      marginAfter: marginPpm(after ?? before, cost),
      outcome: after === null ? 'no_cost' : after === before ? 'unchanged' : 'changed',
    };
  });
  return { rule, lines };
}

export async function previewPricing(ctx: ServiceContext, input: PricingRuleInput): Promise<PricingResult> {
  const { rule, lines } = await price(reader(ctx), input);
  return { rule: describeRule(rule), applied: false, lines };
}

/** Writes the new prices and their history together; items without a cost keep their price. */
export async function applyPricing(ctx: ServiceContext, input: ApplyPricingInput): Promise<PricingResult> {
  return inTransaction(ctx, async (trx) => {
    const { rule, lines } = await price(trx, input);
    const now = ctx.clock.now();
    const text = describeRule(rule);
    for (const line of lines) {
      if (line.outcome !== 'changed' || line.priceAfter === null) continue;
      await trx.updateTable('items').set({ price_micros: line.priceAfter, updated_at: now }).where('id', '=', line.itemId).execute();
      await trx
        .insertInto('price_changes')
        .values({
          id: newId('prc', now),
          item_id: line.itemId,
          old_price_micros: line.priceBefore,
          new_price_micros: line.priceAfter,
          cost_basis: input.cost_basis,
          cost_micros: line.cost,
          rule: text,
          reason: input.reason,
          actor_id: ctx.actor.id,
          created_at: now,
        })
        .execute();
      ctx.touched?.add('item', line.itemId);
    }
    return { rule: text, applied: true, lines };
  });
}

export async function listPriceHistory(ctx: ServiceContext, itemId: string) {
  return reader(ctx).selectFrom('price_changes').selectAll().where('item_id', '=', itemId).orderBy('id', 'desc').limit(200).execute();
}

export interface MarginAlert {
  itemId: string;
  sku: string;
  name: string;
  price: number;
  previousCost: number;
  cost: number;
  marginBefore: number | null;
  margin: number | null;
  receiptId: string;
  receivedAt: number;
}

/**
 * Items whose latest posted receipt cost more per base unit than the one before it and whose
 * margin at the current price is now below the threshold: the ones to reprice first.
 */
export async function listMarginAlerts(ctx: ServiceContext, belowPpm: number): Promise<MarginAlert[]> {
  const db = reader(ctx);
  const sites = ctx.actor.sites;
  let query = db
    .selectFrom('receipt_lines')
    .innerJoin('receipts', 'receipts.id', 'receipt_lines.receipt_id')
    .innerJoin('items', 'items.id', 'receipt_lines.item_id')
    .select(['receipt_lines.item_id', 'receipt_lines.base_unit_cost_micros', 'receipts.id as receipt_id', 'receipts.posted_at', 'receipts.received_at', 'items.sku', 'items.name', 'items.price_micros'])
    .where('receipts.status', '=', 'posted')
    .where('receipt_lines.base_unit_cost_micros', 'is not', null)
    .where('items.price_micros', 'is not', null)
    .where('items.status', '=', 'active')
    .orderBy('receipt_lines.item_id')
    .orderBy('receipts.posted_at', 'desc')
    .orderBy('receipt_lines.id', 'desc')
    .limit(50_000);
  // Receipts at sites the caller is not granted stay out of the answer, as everywhere else.
  if (sites !== 'all') query = query.where('receipts.site_id', 'in', sites.size ? [...sites] : ['']);
  const rows = await query.execute();
  const alerts: MarginAlert[] = [];
  for (let i = 0; i < rows.length; i += 1) {
    const latest = rows[i]!;
    if (i > 0 && rows[i - 1]!.item_id === latest.item_id) continue;
    let previous: (typeof rows)[number] | undefined;
    for (let j = i + 1; j < rows.length && rows[j]!.item_id === latest.item_id; j += 1) {
      if (rows[j]!.receipt_id !== latest.receipt_id) {
        previous = rows[j];
        break;
      }
    }
    if (!previous) continue;
    const cost = Number(latest.base_unit_cost_micros);
    const previousCost = Number(previous.base_unit_cost_micros);
    const price = Number(latest.price_micros);
    const margin = marginPpm(price, cost);
    if (cost <= previousCost || margin === null || margin >= belowPpm) continue;
    alerts.push({
      itemId: latest.item_id,
      sku: latest.sku,
      name: latest.name,
      price,
      previousCost,
      cost,
      marginBefore: marginPpm(price, previousCost),
      margin,
      receiptId: latest.receipt_id,
      receivedAt: Number(latest.received_at ?? latest.posted_at),
    });
  }
  return alerts;
}
