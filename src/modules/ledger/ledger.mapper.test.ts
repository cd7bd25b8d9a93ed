import { describe, expect, it } from 'vitest';
import { toBalanceJson, toLotJson, toMovementJson, toReservationJson } from './ledger.mapper.ts';

/** What the API shows of ledger rows: quantities in base units, money as decimal text, no lot as null. */
describe('ledger mapper', () => {
  it('shows a balance with what is available, and a past balance without promises', () => {
    expect(toBalanceJson({ itemId: 'i', locationId: 'l', lotId: 'lot_1', onHand: 12_500, reserved: 2_250 })).toEqual({
      item_id: 'i',
      location_id: 'l',
      lot_id: 'lot_1',
      on_hand: 12.5,
      reserved: 2.25,
      available: 10.25,
    });
    expect(toBalanceJson({ itemId: 'i', locationId: null, lotId: '', onHand: -1_000, reserved: null })).toEqual({
      item_id: 'i',
      location_id: null,
      lot_id: null,
      on_hand: -1,
      reserved: null,
      available: null,
    });
  });

  const movement = {
    id: 'mov_1',
    txn_id: 'txn_1',
    kind: 'sale',
    reason: null,
    item_id: 'i',
    lot_id: '',
    from_location_id: 'a',
    to_location_id: 'b',
    qty: 3_000,
    unit_cost_micros: 2_120_000,
    value_micros: 6_360_000,
    effective_at: Date.UTC(2026, 10, 2, 9),
    recorded_at: Date.UTC(2026, 10, 2, 10),
    document_type: 'sale',
    document_id: 'sal_1',
    document_line_id: 'line_1',
    actor_id: 'usr_1',
    direction: 'out' as const,
  };

  it('shows a movement with its costs only to those who may see them', () => {
    const common = {
      id: 'mov_1',
      txn_id: 'txn_1',
      kind: 'sale',
      reason: null,
      item_id: 'i',
      lot_id: null,
      from_location_id: 'a',
      to_location_id: 'b',
      qty: 3,
      direction: 'out',
      effective_at: '2026-11-02T09:00:00.000Z',
      recorded_at: '2026-11-02T10:00:00.000Z',
      document_type: 'sale',
      document_id: 'sal_1',
      document_line_id: 'line_1',
      actor_id: 'usr_1',
    };
    expect(toMovementJson(movement, { costs: true })).toEqual({ ...common, unit_cost: '2.12', value: '6.36' });
    expect(toMovementJson(movement, { costs: false })).toEqual(common);
    expect(toMovementJson({ ...movement, lot_id: 'lot_9', unit_cost_micros: null, value_micros: null }, { costs: true })).toMatchObject({ lot_id: 'lot_9', unit_cost: null, value: null });
  });

  it('shows a lot and a reservation', () => {
    expect(toLotJson({ id: 'lot_1', item_id: 'i', code: 'L1', kind: 'lot', expires_on: '2027-01-31', created_at: Date.UTC(2026, 0, 2) })).toEqual({
      id: 'lot_1',
      item_id: 'i',
      code: 'L1',
      kind: 'lot',
      expires_on: '2027-01-31',
      created_at: '2026-01-02T00:00:00.000Z',
    });
    const reservation = {
      id: 'res_1',
      item_id: 'i',
      location_id: 'l',
      lot_id: '',
      qty: 1_500,
      document_type: 'order',
      document_id: 'ord_1',
      document_line_id: null,
      expires_at: Date.UTC(2026, 0, 3) as number | null,
      created_at: Date.UTC(2026, 0, 2),
      updated_at: Date.UTC(2026, 0, 2),
    };
    const shown = {
      id: 'res_1',
      item_id: 'i',
      location_id: 'l',
      lot_id: null,
      qty: 1.5,
      document_type: 'order',
      document_id: 'ord_1',
      document_line_id: null,
      expires_at: '2026-01-03T00:00:00.000Z',
      created_at: '2026-01-02T00:00:00.000Z',
    };
    expect(toReservationJson(reservation)).toEqual(shown);
    expect(toReservationJson({ ...reservation, lot_id: 'lot_2', expires_at: null })).toEqual({ ...shown, lot_id: 'lot_2', expires_at: null });
  });
});
