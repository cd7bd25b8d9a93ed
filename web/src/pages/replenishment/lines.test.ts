import { describe, expect, it } from 'vitest';
import type { ReplenishmentProposals } from '../../api/types.ts';
import { chosenLines } from './lines.ts';

const proposals: ReplenishmentProposals = {
  purchase: [
    {
      vendor_id: 'ven_1',
      vendor_name: 'Wick & Wax',
      currency: 'USD',
      site_id: 'loc_S',
      site_name: 'Store',
      expected_on: '2026-12-12',
      lines: [
        { item_id: 'itm_A', sku: 'A', name: 'Candle', site_id: 'loc_S', position: { on_hand: 8, reserved: 0, on_order: 6, in_transit: 0 }, transfer_in: 0, stores_short: 0, min: 32, max: 46, basis: null, need: 32, qty: 6, unit: 'case', unit_factor: 6, qty_base: 36, lead_time_days: 9, expected_on: '2026-12-12', why: '…' },
        { item_id: 'itm_B', sku: 'B', name: 'Wick', site_id: 'loc_S', position: { on_hand: 0, reserved: 0, on_order: 0, in_transit: 0 }, transfer_in: 0, stores_short: 0, min: 1, max: 2, basis: null, need: 2, qty: 2, unit: 'ea', unit_factor: 1, qty_base: 2, lead_time_days: 9, expected_on: '2026-12-12', why: '…' },
      ],
    },
    { vendor_id: null, vendor_name: null, currency: null, site_id: 'loc_S', site_name: 'Store', expected_on: null, lines: [{ item_id: 'itm_C', sku: 'C', name: 'Orphan', site_id: 'loc_S', position: { on_hand: 0, reserved: 0, on_order: 0, in_transit: 0 }, transfer_in: 0, stores_short: 0, min: 1, max: 2, basis: null, need: 2, qty: 2, unit: 'ea', unit_factor: 1, qty_base: 2, lead_time_days: 7, expected_on: '2026-12-10', why: '…' }] },
  ],
  transfer: [{ source_site_id: 'loc_W', source_site_name: 'Depot', destination_site_id: 'loc_S', destination_site_name: 'Store', lines: [{ item_id: 'itm_D', sku: 'D', name: 'Soap', qty: 18, why: '…' }] }],
};

describe('chosenLines', () => {
  it('keeps every line with a vendor at its proposed quantity until the person changes something', () => {
    const out = chosenLines(proposals, {});
    expect(out.purchase).toEqual([
      { item_id: 'itm_A', site_id: 'loc_S', vendor_id: 'ven_1', qty: 6, unit: 'case' },
      { item_id: 'itm_B', site_id: 'loc_S', vendor_id: 'ven_1', qty: 2, unit: 'ea' },
    ]);
    expect(out.transfer).toEqual([{ item_id: 'itm_D', source_site_id: 'loc_W', destination_site_id: 'loc_S', qty: 18 }]);
  });

  it('leaves dropped lines out, sends edited quantities and reports a bad one', () => {
    const out = chosenLines(proposals, { '0:0': { keep: true, qty: '4' }, '0:1': { keep: false, qty: '2' }, 't0:0': { keep: true, qty: 'x' } });
    expect(out.purchase).toEqual([{ item_id: 'itm_A', site_id: 'loc_S', vendor_id: 'ven_1', qty: 4, unit: 'case' }]);
    expect(out.transfer).toEqual([]);
    expect(out.errors).toEqual({ 't0:0': 'Not a number' });
  });
});
