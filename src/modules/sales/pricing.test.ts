import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemRow } from '../../platform/db/schema.ts';
import { expandLine, partsOfShare } from './consumption.ts';
import { priceSale, settlePayments, shareOut } from './pricing.ts';
import { SalesError } from './sales.errors.ts';

const cent = 10_000;
const $ = (text: string) => Math.round(Number(text) * 1_000_000);

describe('pricing', () => {
  it('rounds each line to the cent, takes line then sale discounts, and taxes each line on its net', () => {
    const priced = priceSale(
      [
        // 3 × 4.20 = 12.60, 10 % off = 1.26 → 11.34
        { qty: 3000, unitPriceMicros: $('4.20'), discount: { kind: 'percent', ppm: 100_000 }, taxRatePpm: 88_750 },
        // 0.25 kg at 3.99/kg = 0.9975 → 1.00
        { qty: 250, unitPriceMicros: $('3.99'), discount: null, taxRatePpm: 0 },
      ],
      { kind: 'amount', amountMicros: $('1.00') },
      cent,
    );
    // 1.00 shared 11.34 : 1.00 → 0.92 and 0.08 (largest remainder)
    expect(priced.lines.map((l) => [l.gross, l.lineDiscount, l.saleDiscount, l.net, l.tax, l.total])).toEqual([
      [$('12.60'), $('1.26'), $('0.92'), $('10.42'), $('0.92'), $('11.34')],
      [$('1.00'), 0, $('0.08'), $('0.92'), 0, $('0.92')],
    ]);
    expect([priced.subtotal, priced.discount, priced.tax, priced.total]).toEqual([$('13.60'), $('2.26'), $('0.92'), $('12.26')]);
  });

  it('rounds half away from zero: 8.875 % of 10.42 is 0.924775 → 0.92, of 2.00 is 0.1775 → 0.18', () => {
    const priced = priceSale([{ qty: 1000, unitPriceMicros: $('2.00'), discount: null, taxRatePpm: 88_750 }], null, cent);
    expect(priced.lines[0]!.tax).toBe($('0.18'));
  });

  it('refuses a discount larger than the amount it applies to, or finer than a cent', () => {
    expect(() => priceSale([{ qty: 1000, unitPriceMicros: $('2.00'), discount: { kind: 'amount', amountMicros: $('2.01') }, taxRatePpm: 0 }], null, cent)).toThrow(SalesError);
    expect(() => priceSale([{ qty: 1000, unitPriceMicros: $('2.00'), discount: { kind: 'amount', amountMicros: 5_000 }, taxRatePpm: 0 }], null, cent)).toThrow(/whole minor units/);
    expect(() => priceSale([{ qty: 1000, unitPriceMicros: $('2.00'), discount: null, taxRatePpm: 0 }], { kind: 'amount', amountMicros: $('3.00') }, cent)).toThrow(SalesError);
  });

  it('shares a sale discount out exactly, whatever the weights', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 20 }), (units, weights) => {
        const shares = shareOut(units, weights);
        const total = weights.reduce((s, w) => s + w, 0);
        if (total === 0) {
          // Not `return expect(…)`: fast-check reads any returned value but true or undefined as a failure.
          expect(shares.every((s) => s === 0)).toBe(true);
          return;
        }
        expect(shares.reduce((s, v) => s + v, 0)).toBe(units);
        shares.forEach((share, i) => expect(Math.abs(share - (units * weights[i]!) / total)).toBeLessThan(1));
      }),
    );
  });

  it('gives change in cash only, and refuses too little', () => {
    expect(settlePayments($('9.21'), [{ tender: 'cash', amountMicros: $('20.00'), reference: null }], cent)).toEqual({ paid: $('20.00'), change: $('10.79') });
    expect(settlePayments($('9.21'), [{ tender: 'card', amountMicros: $('5.00'), reference: null }, { tender: 'cash', amountMicros: $('5.00'), reference: null }], cent)).toEqual({
      paid: $('10.00'),
      change: $('0.79'),
    });
    expect(() => settlePayments($('9.21'), [{ tender: 'card', amountMicros: $('10.00'), reference: null }], cent)).toThrow(/cash only/);
    expect(() => settlePayments($('9.21'), [{ tender: 'cash', amountMicros: $('9.20'), reference: null }], cent)).toThrow(expect.objectContaining({ code: 'payment_insufficient' }));
  });
});

function item(id: string, fields: Partial<ItemRow> & { components?: Array<{ item_id: string; qty: number }> } = {}): [string, ItemRow] {
  const { components = [], ...rest } = fields;
  return [
    id,
    {
      id,
      sku: id.toUpperCase(),
      sku_key: id.toUpperCase(),
      name: id,
      description: null,
      category: null,
      base_unit: 'ea',
      tracking: 'none',
      tracks_expiry: 0,
      costing_method: 'fifo',
      price_micros: null,
      unit_weight_mg: null,
      reorder_point: null,
      stocked: components.length ? 0 : 1,
      status: 'active',
      units_json: '[]',
      barcodes_json: '[]',
      components_json: JSON.stringify(components),
      search_text: id,
      created_at: 0,
      updated_at: 0,
      ...rest,
    },
  ];
}

describe('what a line consumes', () => {
  const items = new Map([
    item('beans'),
    item('milk'),
    item('oat'),
    item('cup'),
    item('salt'),
    // 18 g of beans (in g), 0.2 l of milk, a cup
    item('latte', { components: [{ item_id: 'beans', qty: 18_000 }, { item_id: 'milk', qty: 200 }, { item_id: 'cup', qty: 1000 }] }),
    item('candle'),
    item('choc'),
    item('duo', { components: [{ item_id: 'candle', qty: 1000 }, { item_id: 'choc', qty: 2000 }] }),
    // a basket: two duos and another chocolate — nested
    item('basket', { components: [{ item_id: 'duo', qty: 2000 }, { item_id: 'choc', qty: 1000 }] }),
    item('loaf', { components: [{ item_id: 'salt', qty: 1 }] }),
  ]);

  it('scales a recipe by the quantity sold', () => {
    expect(expandLine('latte', 3000, [], items)).toEqual([
      { itemId: 'beans', qty: 54_000 },
      { itemId: 'milk', qty: 600 },
      { itemId: 'cup', qty: 3000 },
    ]);
  });

  it('expands nested bundles and sums the same component', () => {
    expect(expandLine('basket', 2000, [], items)).toEqual([
      { itemId: 'candle', qty: 4000 },
      { itemId: 'choc', qty: 10_000 },
    ]);
  });

  it('replaces whole milk with oat milk, removes milk, and adds an extra shot', () => {
    const oat = [{ item_id: 'oat', qty: null, replaces_item_id: 'milk' }];
    const noMilk = [{ item_id: null, qty: null, replaces_item_id: 'milk' }];
    const shot = [{ item_id: 'beans', qty: 9000, replaces_item_id: null }];
    expect(expandLine('latte', 1000, [oat], items)).toEqual([
      { itemId: 'beans', qty: 18_000 },
      { itemId: 'cup', qty: 1000 },
      { itemId: 'oat', qty: 200 },
    ]);
    expect(expandLine('latte', 2000, [noMilk, shot, shot], items)).toEqual([
      { itemId: 'beans', qty: 72_000 },
      { itemId: 'cup', qty: 2000 },
    ]);
  });

  it('rounds a part half up to the thousandth, once, and leaves out a part that rounds to nothing', () => {
    // Half a loaf with 0.001 of salt per loaf: 0.0005 → 0.001.
    expect(expandLine('loaf', 500, [], items)).toEqual([{ itemId: 'salt', qty: 1 }]);
    expect(expandLine('loaf', 400, [], items)).toEqual([]);
  });

  it('a stocked item is its own part; modifiers only add to it', () => {
    expect(expandLine('candle', 2000, [[{ item_id: 'choc', qty: 1000, replaces_item_id: null }]], items)).toEqual([
      { itemId: 'candle', qty: 2000 },
      { itemId: 'choc', qty: 2000 },
    ]);
  });

  it('gives out a line in pieces that add up to its parts exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 50_000 }), fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 10 }), (partQty, lineQty, cuts) => {
        const parts = [{ itemId: 'x', qty: partQty }];
        const total = cuts.reduce((s, c) => s + c, 0);
        let done = 0;
        let given = 0;
        for (const cut of cuts) {
          const qty = cut === cuts[cuts.length - 1] && done + cut === total ? lineQty - Math.floor((lineQty * done) / total) : Math.floor((lineQty * cut) / total);
          const n = Math.min(qty, lineQty - done);
          given += partsOfShare(parts, lineQty, done, n).reduce((s, p) => s + p.qty, 0);
          done += n;
        }
        given += partsOfShare(parts, lineQty, done, lineQty - done).reduce((s, p) => s + p.qty, 0);
        expect(given).toBe(partQty);
      }),
    );
  });
});
