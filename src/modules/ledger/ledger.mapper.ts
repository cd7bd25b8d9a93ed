import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import type { LotRow, ReservationRow } from '../../platform/db/schema.ts';
import { formatMoneyOrNull } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import type { BalanceLine } from './balances.service.ts';
import type { MovementLine } from './history.service.ts';
import { NO_LOT } from './lots.service.ts';

export interface View {
  /** Cost and value fields are left out for those who may not see costs. */
  costs: boolean;
}

export function lotOrNull(lotId: string): string | null {
  return lotId === NO_LOT ? null : lotId;
}

export function toBalanceJson(line: BalanceLine) {
  return {
    item_id: line.itemId,
    location_id: line.locationId,
    lot_id: lotOrNull(line.lotId),
    on_hand: quantityToNumber(line.onHand),
    reserved: line.reserved === null ? null : quantityToNumber(line.reserved),
    available: line.reserved === null ? null : quantityToNumber(line.onHand - line.reserved),
  };
}

export function toMovementJson(row: MovementLine, view: View) {
  return {
    id: row.id,
    txn_id: row.txn_id,
    kind: row.kind,
    reason: row.reason,
    item_id: row.item_id,
    lot_id: lotOrNull(row.lot_id),
    from_location_id: row.from_location_id,
    to_location_id: row.to_location_id,
    qty: quantityToNumber(row.qty),
    direction: row.direction,
    ...(view.costs ? { unit_cost: formatMoneyOrNull(row.unit_cost_micros), value: formatMoneyOrNull(row.value_micros) } : {}),
    effective_at: toIso(row.effective_at),
    recorded_at: toIso(row.recorded_at),
    document_type: row.document_type,
    document_id: row.document_id,
    document_line_id: row.document_line_id,
    actor_id: row.actor_id,
  };
}

export function toLotJson(row: LotRow) {
  return { id: row.id, item_id: row.item_id, code: row.code, kind: row.kind, expires_on: row.expires_on, created_at: toIso(row.created_at) };
}

export function toReservationJson(row: ReservationRow) {
  return {
    id: row.id,
    item_id: row.item_id,
    location_id: row.location_id,
    lot_id: lotOrNull(row.lot_id),
    qty: quantityToNumber(row.qty),
    document_type: row.document_type,
    document_id: row.document_id,
    document_line_id: row.document_line_id,
    expires_at: toIsoOrNull(row.expires_at),
    created_at: toIso(row.created_at),
  };
}
