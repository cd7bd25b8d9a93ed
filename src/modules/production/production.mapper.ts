import type { z } from 'zod';
import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { formatMoney } from '../../platform/money.ts';
import { QTY_SCALE, quantityToNumber } from '../../platform/quantity.ts';
import { formatPercent } from '../../platform/rate.ts';
import type { View } from '../ledger/index.ts';
import type { BomRecord, BomTree } from './boms.service.ts';
import type { DisassemblyRecord } from './disassembly.service.ts';
import { expectedGood, type ProductionOrderRecord } from './production-orders.service.ts';
import type { PlanLine } from './production-plan.service.ts';
import type { bomOutput, bomTreeOutput, disassemblyOutput, orderOutput, planOutput } from './production.schema.ts';

const q = quantityToNumber;
const unitCost = (value: number, qty: number) => (qty > 0 ? mulDiv(value, QTY_SCALE, qty) : 0);

export function toBomJson(record: BomRecord, view: View): z.input<typeof bomOutput> {
  const b = record.bom;
  return {
    id: b.id,
    item_id: b.item_id,
    version: b.version,
    status: b.status,
    batch_qty: q(b.batch_qty),
    yield: formatPercent(b.yield_ppm),
    scrap: formatPercent(b.scrap_ppm),
    ...(view.costs ? { labour: formatMoney(b.labour_micros), overhead: formatMoney(b.overhead_micros) } : {}),
    labour_basis: b.labour_basis,
    overhead_basis: b.overhead_basis,
    shelf_life_days: b.shelf_life_days,
    note: b.note,
    created_at: toIso(b.created_at),
    lines: record.lines.map((l) => ({
      line_no: l.line_no,
      item_id: l.component_item_id,
      sku: l.sku,
      name: l.name,
      base_unit: l.base_unit,
      qty: q(l.qty),
      unit: l.unit,
      unit_qty: q(l.unit_qty),
    })),
  };
}

export function toBomTreeJson(tree: BomTree, view: View): z.input<typeof bomTreeOutput> {
  return {
    item_id: tree.itemId,
    bom_id: tree.bomId,
    version: tree.version,
    ...(view.costs ? { unit_cost: formatMoney(tree.unitCostMicros) } : {}),
    nodes: tree.nodes.map((n) => ({
      depth: n.depth,
      parent_item_id: n.parentItemId,
      item_id: n.itemId,
      sku: n.sku,
      name: n.name,
      base_unit: n.baseUnit,
      qty: q(n.qty),
      sub_assembly: n.subAssembly,
      ...(view.costs ? { unit_cost: formatMoney(n.unitCostMicros), cost: formatMoney(n.costMicros) } : {}),
    })),
  };
}

export function toOrderJson(record: ProductionOrderRecord, view: View): z.input<typeof orderOutput> {
  const o = record.order;
  const done = o.status === 'completed' || o.status === 'closed';
  const expected = expectedGood(record.bom, o.qty_planned);
  const consumed = record.postings.reduce((s, p) => s + p.valueConsumedMicros, 0);
  const produced = record.postings.reduce((s, p) => s + p.valueProducedMicros, 0);
  return {
    id: o.id,
    number: o.number,
    status: o.status,
    site: record.site,
    bin_id: o.bin_id,
    item: record.item,
    bom_id: o.bom_id,
    bom_version: record.bom.version,
    qty_planned: q(o.qty_planned),
    qty_expected: q(expected),
    qty_produced: q(o.qty_produced),
    qty_scrapped: q(o.qty_scrapped),
    yield_variance: done ? q(o.qty_produced - expected) : 0,
    planned_for: o.planned_for,
    note: o.note,
    lines: record.lines.map((l) => ({
      id: l.id,
      item_id: l.item_id,
      sku: l.sku,
      name: l.name,
      base_unit: l.baseUnit,
      qty_planned: q(l.qty_planned),
      qty_reserved: q(l.qtyReserved),
      qty_consumed: q(l.qty_consumed),
      qty_variance: done ? q(l.qty_consumed - l.qty_planned) : 0,
      ...(view.costs ? { value_consumed: formatMoney(l.valueConsumedMicros) } : {}),
    })),
    postings: record.postings.map((p) => ({
      id: p.id,
      qty_produced: q(p.qty_produced),
      qty_scrapped: q(p.qty_scrapped),
      lot_code: p.lotCode,
      expires_on: p.expiresOn,
      ...(view.costs
        ? {
            value_consumed: formatMoney(p.valueConsumedMicros),
            labour: formatMoney(p.labour_micros),
            overhead: formatMoney(p.overhead_micros),
            value_produced: formatMoney(p.valueProducedMicros),
            unit_cost: formatMoney(unitCost(p.valueProducedMicros, p.qty_produced)),
          }
        : {}),
      effective_at: toIso(p.effective_at),
      note: p.note,
    })),
    ...(view.costs ? { value_consumed: formatMoney(consumed), value_produced: formatMoney(produced), unit_cost: formatMoney(unitCost(produced, o.qty_produced)) } : {}),
    created_at: toIso(o.created_at),
    started_at: toIsoOrNull(o.started_at),
    completed_at: toIsoOrNull(o.completed_at),
    closed_at: toIsoOrNull(o.closed_at),
  };
}

export function toPlanJson(plan: { siteId: string; date: string; lines: PlanLine[] }): z.input<typeof planOutput> {
  return {
    site_id: plan.siteId,
    date: plan.date,
    lines: plan.lines.map((l) => ({
      item_id: l.itemId,
      sku: l.sku,
      name: l.name,
      bom_id: l.bomId,
      batch_qty: q(l.batchQty),
      on_hand: q(l.onHand),
      planned_open: q(l.plannedOpen),
      min: q(l.min),
      max: q(l.max),
      qty: q(l.qty),
      reason: l.reason,
    })),
  };
}

export function toDisassemblyJson(record: DisassemblyRecord, view: View): z.input<typeof disassemblyOutput> {
  const d = record.disassembly;
  return {
    id: d.id,
    number: d.number,
    site_id: d.site_id,
    bin_id: d.bin_id,
    item_id: d.item_id,
    lot_code: record.lotCode,
    qty: q(d.qty),
    rule: d.rule,
    ...(view.costs ? { value: formatMoney(record.valueMicros) } : {}),
    lines: record.lines.map((l) => ({ item_id: l.item_id, sku: l.sku, qty: q(l.qty), ...(view.costs ? { value: formatMoney(l.valueMicros) } : {}) })),
    effective_at: toIso(d.effective_at),
    created_at: toIso(d.created_at),
  };
}

