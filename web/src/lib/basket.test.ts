import { describe, expect, it } from 'vitest';
import { fromMicros, toMicros } from './decimal.ts';
import { mulDiv, percentToPpm, priceBasket, qtyToMilli, shareOut, type BasketLine } from './basket.ts';

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
});
