import { toIso } from '../../platform/clock.ts';
import { formatMoneyOrNull } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { lotOrNull, type View } from '../ledger/index.ts';
import type { AdjustmentJson } from './adjustments.schema.ts';
import type { AdjustmentRecord } from './adjustments.service.ts';

export function toAdjustmentJson(record: AdjustmentRecord, view: View): AdjustmentJson {
  return {
    id: record.id,
    number: record.number,
    location_id: record.location_id,
    reason: record.reason,
    note: record.note,
    effective_at: toIso(record.effective_at),
    posted_at: toIso(record.posted_at),
    actor_id: record.actor_id,
    txn_id: record.txn_id,
    reverses_id: record.reverses_id,
    reversed_by_id: record.reversed_by_id,
    lines: record.lines.map((line) => ({
      id: line.id,
      line_no: line.line_no,
      item_id: line.item_id,
      lot_id: lotOrNull(line.lot_id),
      qty: quantityToNumber(line.qty_delta),
      ...(view.costs ? { unit_cost: formatMoneyOrNull(line.unit_cost_micros) } : {}),
    })),
    ...(record.negativeBalances
      ? {
          warnings: record.negativeBalances.map((b) => ({
            code: 'negative_balance' as const,
            item_id: b.itemId,
            location_id: b.locationId,
            lot_id: lotOrNull(b.lotId),
            on_hand: quantityToNumber(b.onHand),
          })),
        }
      : {}),
  };
}
