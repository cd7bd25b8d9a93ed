import { describe, expect, it } from 'vitest';
import { fromMicros, toMicros } from './decimal.ts';
import { mulDiv, percentToPpm, ppmToPercent, priceBasket, qtyToMilli, rateOfItem, shareOut, type BasketLine, type TaxTable } from './basket.ts';

const line = (qty: number, price: string, extra: Partial<BasketLine> = {}): BasketLine => ({ qtyMilli: qtyToMilli(qty), unitPriceMicros: toMicros(price), discount: null, taxPpm: 0n, ...extra });
const money = (m: bigint) => fromMicros(m);

describe('the counter basket, priced as the server prices a sale', () => {
  it('rounds half away from zero', () => {
    expect(mulDiv(5n, 1n, 2n)).toBe(3n);
    expect(mulDiv(-5n, 1n, 2n)).toBe(-3n);
    expect(mulDiv(4n, 1n, 3n)).toBe(1n);
  });

  it('prices lines to the cent: 1.5 kg at 3.33 is 5.00 (4.995 rounds up)', () => {
    const t = priceBasket([line(1.5, '3.33'), line(2, '4.20')], null);
    expect(money(t.lines[0]!.gross)).toBe('5.00');
    expect(money(t.total)).toBe('13.40');
  });

  it('takes a percentage off a line, rounded to the cent, never below zero', () => {
    const t = priceBasket([line(3, '3.35', { discount: { kind: 'percent', ppm: percentToPpm('10')! } })], null);
    // 10.05 gross, 1.005 off rounds to 1.01.
    expect(money(t.lines[0]!.discount)).toBe('1.01');
    expect(money(t.total)).toBe('9.04');
    expect(money(priceBasket([line(1, '2.00', { discount: { kind: 'amount', micros: toMicros('5.00') } })], null).total)).toBe('0.00');
  });

  it('shares a sale discount over the lines by largest remainder, so the parts add up', () => {
    expect(shareOut(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    const t = priceBasket([line(1, '10.00'), line(1, '10.00'), line(1, '10.00')], { kind: 'amount', micros: toMicros('1.00') });
    expect(t.lines.map((l) => money(l.discount))).toEqual(['0.34', '0.33', '0.33']);
    expect(money(t.total)).toBe('29.00');
  });

  it('charges tax per line on its net', () => {
    const t = priceBasket([line(1, '4.20', { taxPpm: percentToPpm('8.875')! }), line(1, '0.99', { taxPpm: percentToPpm('8.875')! })], null);
    // 0.37275 → 0.37 and 0.0878625 → 0.09
    expect(t.lines.map((l) => money(l.tax))).toEqual(['0.37', '0.09']);
    expect(money(t.tax)).toBe('0.46');
    expect(money(t.total)).toBe('5.65');
  });

  it('reads percentages with at most four decimals', () => {
    expect(percentToPpm('8.875')).toBe(88_750n);
    expect(percentToPpm('100')).toBe(1_000_000n);
    expect(percentToPpm('100.5')).toBeNull();
    expect(percentToPpm('1.23456')).toBeNull();
    expect(qtyToMilli(0.018)).toBe(18n);
  });

  it('works tax out of prices that include it exactly as the server does (tax.test.ts has the same figures)', () => {
    // 3 × 4.99 = 14.97 at 20 % inclusive: tax 2.495 → 2.50, net 12.47, total 14.97.
    const one = priceBasket([line(3, '4.99', { taxPpm: percentToPpm('20')! })], null, true);
    expect([money(one.lines[0]!.net), money(one.tax), money(one.total)]).toEqual(['12.47', '2.50', '14.97']);
    // With 2 × 2.50 zero-rated and 10 % off the sale: 2.00 shared 1.50 / 0.50; 13.47 → tax 2.245 → 2.25.
    const two = priceBasket([line(3, '4.99', { taxPpm: percentToPpm('20')! }), line(2, '2.50')], { kind: 'percent', ppm: percentToPpm('10')! }, true);
    expect(two.lines.map((l) => [money(l.total), money(l.tax), money(l.net)])).toEqual([
      ['13.47', '2.25', '11.22'],
      ['4.50', '0.00', '4.50'],
    ]);
    expect([money(two.discount), money(two.tax), money(two.total)]).toEqual(['2.00', '2.25', '17.97']);
  });

  it('gives each item its rate from the site’s tax table: exempt, then its category, then the default', () => {
    const table: TaxTable = { site_id: 'loc_1', prices_include_tax: false, default_rate: '8.875', categories: [{ category: 'Books', rate: '5' }], exempt_item_ids: ['itm_map'] };
    expect(rateOfItem(table, { id: 'itm_pen', category: null })).toBe(88_750n);
    expect(rateOfItem(table, { id: 'itm_novel', category: ' books ' })).toBe(50_000n);
    expect(rateOfItem(table, { id: 'itm_map', category: 'Books' })).toBe(0n);
    expect(rateOfItem(undefined, { id: 'itm_pen', category: null })).toBe(0n);
    expect([ppmToPercent(88_750n), ppmToPercent(200_000n), ppmToPercent(0n)]).toEqual(['8.875', '20', '0']);
  });
});
