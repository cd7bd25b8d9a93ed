import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatScaled, mulDiv, mulDivExact, NumberRangeError, parseScaled } from './decimal.ts';
import { parseMoney, formatMoney } from './money.ts';
import { parseQuantity, quantityToNumber } from './quantity.ts';

describe('parseScaled', () => {
  it('reads decimals exactly where floats would not', () => {
    expect(parseScaled(1.005, 3)).toEqual({ ok: true, value: 1005 });
    expect(parseScaled(0.1, 3)).toEqual({ ok: true, value: 100 });
    expect(parseScaled('12.50', 6)).toEqual({ ok: true, value: 12_500_000 });
    expect(parseScaled(-2.5, 3)).toEqual({ ok: true, value: -2500 });
    expect(parseScaled(1e3, 3)).toEqual({ ok: true, value: 1_000_000 });
    expect(parseScaled(0, 3)).toEqual({ ok: true, value: 0 });
  });

  it('refuses more precision than the scale instead of rounding', () => {
    expect(parseScaled(1.0005, 3)).toEqual({ ok: false, reason: 'too_precise' });
    expect(parseScaled(1e-7, 3)).toEqual({ ok: false, reason: 'too_precise' });
    expect(parseScaled('0.1234567', 6)).toEqual({ ok: false, reason: 'too_precise' });
  });

  it('accepts trailing zeros beyond the scale', () => {
    expect(parseScaled('1.5000', 3)).toEqual({ ok: true, value: 1500 });
  });

  it('refuses numbers past the safe integer range and non-numbers', () => {
    expect(parseScaled(2 ** 53, 3)).toEqual({ ok: false, reason: 'out_of_range' });
    expect(parseScaled(1e300, 3)).toEqual({ ok: false, reason: 'out_of_range' });
    expect(parseScaled(Number.NaN, 3)).toEqual({ ok: false, reason: 'not_a_number' });
    expect(parseScaled('1,5', 3)).toEqual({ ok: false, reason: 'not_a_number' });
  });

  it('round-trips every three-decimal number', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (thousandths) => {
        const asNumber = quantityToNumber(thousandths);
        expect(parseQuantity(asNumber)).toEqual({ ok: true, value: thousandths || 0 });
      }),
    );
  });
});

describe('money', () => {
  it('formats with at least two decimals and no trailing zeros beyond', () => {
    expect(formatMoney(12_500_000)).toBe('12.50');
    expect(formatMoney(1_234_567)).toBe('1.234567');
    expect(formatMoney(-50_000)).toBe('-0.05');
    expect(formatMoney(0)).toBe('0.00');
  });

  it('parses decimal strings only', () => {
    expect(parseMoney('0.018')).toEqual({ ok: true, value: 18_000 });
    expect(parseMoney('1e3')).toEqual({ ok: false, reason: 'not_a_number' });
    expect(parseMoney('1.0000001')).toEqual({ ok: false, reason: 'too_precise' });
    expect(parseMoney('10000000000000')).toEqual({ ok: false, reason: 'out_of_range' });
  });

  it('round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 1e15 }), (micros) => {
        expect(parseMoney(formatMoney(micros))).toEqual({ ok: true, value: micros || 0 });
      }),
    );
  });
});

describe('mulDiv', () => {
  it('multiplies quantity by unit cost without passing through a float', () => {
    // 1.5 kg at 3.333333 per kg
    expect(mulDiv(1500, 3_333_333, 1000)).toBe(5_000_000);
    expect(mulDiv(1, 1, 3)).toBe(0);
    expect(mulDiv(2, 1, 3)).toBe(1);
    expect(mulDiv(-2, 1, 3)).toBe(-1);
    expect(mulDiv(9_000_000_000_000, 1_000_000, 1_000_000)).toBe(9_000_000_000_000);
  });

  it('throws rather than lose precision', () => {
    expect(() => mulDiv(Number.MAX_SAFE_INTEGER, 2, 1)).toThrow(NumberRangeError);
  });

  it('divides exactly or says it cannot', () => {
    expect(mulDivExact(2000, 12_000, 1000)).toBe(24_000);
    expect(mulDivExact(1, 1, 3)).toBeNull();
  });

  it('formats scaled integers', () => {
    expect(formatScaled(1500, 3)).toBe('1.5');
    expect(formatScaled(-1, 3)).toBe('-0.001');
  });
});
