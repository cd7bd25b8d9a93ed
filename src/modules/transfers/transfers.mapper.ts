import { toIso, toIsoOrNull } from '../../platform/clock.ts';
import { formatMoney } from '../../platform/money.ts';
import { quantityToNumber } from '../../platform/quantity.ts';
import { formatPercent } from '../../platform/rate.ts';
import { lotOrNull, type View } from '../ledger/index.ts';
import type { BinMoveRecord } from './bin-moves.service.ts';
import type { PickResult } from './transfer-picking.service.ts';
import type { TransferRecord } from './transfers.service.ts';
import type { TransferJson } from './transfers.schema.ts';

const q = quantityToNumber;

/** A transfer as JSON; carried values only for those who may see costs. */
export function toTransferJson(record: TransferRecord, view: View): TransferJson {
  const t = record.transfer;
  return {
    id: t.id,
    number: t.number,
    status: t.status,
    source_site: record.sourceSite,
    destination_site: record.destinationSite,
    destination_bin: { id: record.destinationBin.id, code: record.destinationBin.full_code },
    over_tolerance: formatPercent(t.over_tolerance_ppm),
    note: t.note,
    requested_by: t.requested_by,
    created_by: t.created_by,
    created_at: toIso(t.created_at),
    accepted_at: toIsoOrNull(t.accepted_at),
    picked_at: toIsoOrNull(t.picked_at),
    first_shipped_at: toIsoOrNull(t.first_shipped_at),
    last_received_at: toIsoOrNull(t.last_received_at),
    closed_at: toIsoOrNull(t.closed_at),
    cancelled_at: toIsoOrNull(t.cancelled_at),
    lines: record.lines.map((l) => {
      const allocations = record.allocations.filter((a) => a.line_id === l.id);
      const inTransit = l.inTransit.reduce((s, x) => s + x.qty, 0);
      const valueInTransit = l.value_shipped_micros - l.value_received_micros - l.value_damaged_micros - l.value_lost_micros;
      return {
        id: l.id,
        line_no: l.line_no,
        item_id: l.item_id,
        sku: l.sku,
        name: l.name,
        tracking: l.tracking,
        qty_requested: q(l.qty_requested),
        qty_allocated: q(allocations.reduce((s, a) => s + a.qty, 0)),
        qty_picked: q(allocations.reduce((s, a) => s + a.qty_picked, 0)),
        qty_shipped: q(l.qty_shipped),
        qty_received: q(l.qty_received),
        qty_over: q(l.qty_over),
        qty_damaged: q(l.qty_damaged),
        qty_lost: q(l.qty_lost),
        qty_in_transit: q(inTransit),
        in_transit: l.inTransit.map((x) => ({ lot_id: lotOrNull(x.lotId), lot_code: x.lotCode ?? null, qty: q(x.qty) })),
        ...(view.costs
          ? {
              value_shipped: formatMoney(l.value_shipped_micros),
              value_received: formatMoney(l.value_received_micros),
              value_damaged: formatMoney(l.value_damaged_micros),
              value_lost: formatMoney(l.value_lost_micros),
              value_in_transit: formatMoney(valueInTransit),
            }
          : {}),
      };
    }),
    allocations: record.allocations.map((a) => ({
      id: a.id,
      line_id: a.line_id,
      bin_id: a.location_id,
      bin: a.bin,
      lot_id: lotOrNull(a.lot_id),
      lot_code: a.lotCode,
      expires_on: a.expiresOn,
      qty: q(a.qty),
      qty_picked: q(a.qty_picked),
      qty_shipped: q(a.qty_shipped),
    })),
    postings: record.postings.map((p) => ({ id: p.id, kind: p.kind, txn_id: p.txn_id, actor_id: p.actor_id, note: p.note, effective_at: toIso(p.effective_at) })),
    discrepancies: record.discrepancies.map((d) => ({
      id: d.id,
      posting_id: d.posting_id,
      line_id: d.line_id,
      item_id: d.item_id,
      lot_id: lotOrNull(d.lot_id),
      kind: d.kind,
      qty: q(d.qty),
      detail: d.detail,
    })),
  };
}

export function toPickResultJson(result: PickResult, view: View) {
  return {
    transfer: toTransferJson(result.transfer, view),
    picked: { item_id: result.picked.itemId, sku: result.picked.sku, lot_code: result.picked.lotCode, qty: q(result.picked.qty), bin: result.picked.bin },
  };
}

export function toBinMoveJson(record: BinMoveRecord) {
  return {
    ...record,
    created_at: toIso(record.created_at),
    lines: record.lines.map((l) => ({ item_id: l.item_id, lot_id: lotOrNull(l.lot_id), qty: q(l.qty) })),
  };
}
