import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { canSeeCosts, type Actor } from '../../platform/context.ts';
import type { CountRow, CountUnknownScanRow } from '../../platform/db/schema.ts';
import { formatMoney, formatMoneyOrNull } from '../../platform/money.ts';
import { formatPercent } from '../../platform/rate.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { lotOrNull } from '../ledger/index.ts';
import type { CountSettings } from './count-settings.service.ts';
import type { VarianceReport } from './count-reports.service.ts';
import type { CountJson, CountLineJson } from './counts.schema.ts';
import { summaryOf, type CountLineView, type CountRecord, type CountSummary } from './counts.service.ts';

const qtyOrNull = (q: number | null) => (q === null ? null : quantityToNumber(Number(q)));

/** One line as the actor may see it: no expected quantity on a blind count for a counter, no money for staff. */
export function toCountLineJson(line: CountLineView, view: { expected: boolean; costs: boolean }): CountLineJson {
  return {
    id: line.id,
    line_no: line.line_no,
    sheet_id: line.sheet_id,
    location_id: line.location_id,
    location_code: line.location_code,
    item_id: line.item_id,
    sku: line.sku,
    item_name: line.item_name,
    base_unit: line.base_unit,
    lot_id: lotOrNull(line.lot_id),
    lot_code: line.lot_code,
    round: line.round,
    status: line.status,
    found: line.found === 1,
    counted_qty: qtyOrNull(line.counted_qty),
    counted_at: toIsoOrNull(line.counted_at === null ? null : Number(line.counted_at)),
    counted_by: line.counted_by,
    ...(view.expected ? { expected_qty: qtyOrNull(line.expected_qty), variance_qty: qtyOrNull(line.variance_qty) } : {}),
    ...(view.expected && view.costs
      ? { unit_cost: formatMoneyOrNull(line.unit_cost_micros === null ? null : Number(line.unit_cost_micros)), variance_value: formatMoneyOrNull(line.variance_value_micros === null ? null : Number(line.variance_value_micros)) }
      : {}),
    needs_approval: line.needs_approval === 1,
    decision: line.decision,
    decision_reason: line.decision_reason,
    decided_by: line.decided_by,
    edited_from_qty: qtyOrNull(line.edited_from_qty),
    txn_id: line.txn_id,
    posted_at: toIsoOrNull(line.posted_at === null ? null : Number(line.posted_at)),
  };
}

function countHead(count: CountRow, summary: CountSummary, expectedVisible: boolean) {
  return {
    id: count.id,
    number: count.number,
    site_id: count.site_id,
    kind: count.kind,
    mode: count.mode,
    status: count.status,
    note: count.note,
    scope: JSON.parse(count.scope_json) as Record<string, unknown>,
    created_by: count.created_by,
    created_at: toIso(Number(count.created_at)),
    submitted_by: count.submitted_by,
    submitted_at: toIsoOrNull(count.submitted_at === null ? null : Number(count.submitted_at)),
    posted_by: count.posted_by,
    posted_at: toIsoOrNull(count.posted_at === null ? null : Number(count.posted_at)),
    expected_visible: expectedVisible,
    summary,
  };
}

export function toCountSummaryJson(count: CountRow, summary: CountSummary, expectedVisible: boolean) {
  return countHead(count, summary, expectedVisible);
}

function toUnknownScanJson(scan: CountUnknownScanRow) {
  return {
    id: scan.id,
    location_id: scan.location_id,
    code: scan.code,
    qty: quantityToNumber(Number(scan.qty)),
    status: scan.status,
    scanned_by: scan.scanned_by,
    scanned_at: toIso(Number(scan.scanned_at)),
    resolved_item_id: scan.resolved_item_id,
  };
}

export function toCountJson(record: CountRecord, actor: Actor): CountJson {
  const view = { expected: record.expectedVisible, costs: canSeeCosts(actor) };
  return {
    ...countHead(record.count, summaryOf(record), record.expectedVisible),
    sheets: record.sheets.map((s) => ({ id: s.id, sheet_no: s.sheet_no, name: s.name, location_ids: JSON.parse(s.location_ids_json) as string[], counter_id: s.counter_id })),
    lines: record.lines.map((l) => toCountLineJson(l, view)),
    unknown_scans: record.unknownScans.map(toUnknownScanJson),
  };
}

/** A site's count settings; the value thresholds only for those who may see costs (a threshold in money says what stock is worth). */
export function toCountSettingsJson(s: CountSettings, actor: Actor) {
  return {
    site_id: s.site_id,
    qty_abs_threshold: qtyOrNull(s.qty_abs_threshold),
    qty_pct_threshold: s.qty_pct_threshold === null ? null : formatPercent(Number(s.qty_pct_threshold)),
    ...(canSeeCosts(actor)
      ? {
          value_abs_threshold: s.value_abs_threshold_micros === null ? null : formatMoney(Number(s.value_abs_threshold_micros)),
          value_pct_threshold: s.value_pct_threshold === null ? null : formatPercent(Number(s.value_pct_threshold)),
        }
      : {}),
    require_second_person: s.require_second_person === 1,
    cycle_a_days: s.cycle_a_days,
    cycle_b_days: s.cycle_b_days,
    cycle_c_days: s.cycle_c_days,
  };
}

/** The variance report; values only for those who may see costs. */
export function toVarianceReportJson(report: VarianceReport, costs: boolean) {
  const money = (m: number | null) => (costs ? { variance_value: formatMoneyOrNull(m) } : {});
  const byItem = new Map<string, { item_id: string; sku: string; qty: number; value: number }>();
  const byReason = new Map<string, { lines: number; value: number }>();
  const byCounter = new Map<string | null, { lines: number; qty: number; value: number }>();
  for (const l of report.lines) {
    const item = byItem.get(l.item_id) ?? { item_id: l.item_id, sku: l.sku, qty: 0, value: 0 };
    item.qty += l.variance_qty;
    item.value += l.variance_value_micros ?? 0;
    byItem.set(l.item_id, item);
    const reason = byReason.get(l.reason) ?? { lines: 0, value: 0 };
    reason.lines += 1;
    reason.value += l.variance_value_micros ?? 0;
    byReason.set(l.reason, reason);
    const counter = byCounter.get(l.counted_by) ?? { lines: 0, qty: 0, value: 0 };
    counter.lines += 1;
    counter.qty += l.variance_qty;
    counter.value += l.variance_value_micros ?? 0;
    byCounter.set(l.counted_by, counter);
  }
  const value = (m: number) => (costs ? { variance_value: formatMoney(m) } : {});
  return {
    from: report.from,
    to: report.to,
    lines: report.lines.map((l) => ({
      count_id: l.count_id,
      count_number: l.count_number,
      line_id: l.line_id,
      site_id: l.site_id,
      item_id: l.item_id,
      sku: l.sku,
      name: l.name,
      category: l.category,
      location_id: l.location_id,
      lot_id: lotOrNull(l.lot_id),
      counted_at: toIso(l.counted_at),
      counted_by: l.counted_by,
      counted_qty: quantityToNumber(l.counted_qty),
      expected_qty: quantityToNumber(l.expected_qty),
      variance_qty: quantityToNumber(l.variance_qty),
      ...money(l.variance_value_micros),
      reason: l.reason,
    })),
    by_item: [...byItem.values()].map((i) => ({ item_id: i.item_id, sku: i.sku, variance_qty: quantityToNumber(i.qty), ...value(i.value) })),
    by_reason: [...byReason].map(([reason, r]) => ({ reason, lines: r.lines, ...value(r.value) })),
    by_counter: [...byCounter].map(([counter_id, c]) => ({ counter_id, lines: c.lines, variance_qty: quantityToNumber(c.qty), ...value(c.value) })),
  };
}
