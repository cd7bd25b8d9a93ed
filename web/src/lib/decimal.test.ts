import { describe, expect, it } from 'vitest';
import { formatMoney, formatMoneyShort, formatMoneyTotal, formatUnitCost, isZeroMoney, roundToCents, formatQty, fromMicros, parseMoneyInput, parseQuantityInput, sumMoney, toMicros } from './decimal.ts';

describe('money', () => {
  it('reads what people type as a decimal string, never through a float', () => {
    expect(parseMoneyInput('12.5')).toEqual({ ok: true, value: '12.50' });
    expect(parseMoneyInput(' 3 ')).toEqual({ ok: true, value: '3.00' });
    expect(parseMoneyInput('12,50')).toEqual({ ok: true, value: '12.50' });
    expect(parseMoneyInput('$4.2')).toEqual({ ok: true, value: '4.20' });
    expect(parseMoneyInput('.75')).toEqual({ ok: true, value: '0.75' });
    expect(parseMoneyInput('0.125')).toEqual({ ok: true, value: '0.125' });
    expect(parseMoneyInput('007.10')).toEqual({ ok: true, value: '7.10' });
    expect(parseMoneyInput('99999999999.999999')).toEqual({ ok: true, value: '99999999999.999999' });
  });

  it('refuses what is not an amount, with words a person understands', () => {
    expect(parseMoneyInput('')).toEqual({ ok: false, message: 'Enter an amount' });
    expect(parseMoneyInput('abc').ok).toBe(false);
    expect(parseMoneyInput('1.2.3').ok).toBe(false);
    expect(parseMoneyInput('-1')).toEqual({ ok: false, message: 'Must not be negative' });
    expect(parseMoneyInput('-1', { allowNegative: true })).toEqual({ ok: true, value: '-1.00' });
    expect(parseMoneyInput('1.1234567')).toEqual({ ok: false, message: 'At most 6 decimals' });
    expect(parseMoneyInput('1.234', { decimals: 2 })).toEqual({ ok: false, message: 'At most 2 decimals' });
  });

  it('adds amounts exactly in micros: 0.1 + 0.2 is 0.30', () => {
    expect(sumMoney(['0.1', '0.2'])).toBe('0.30');
    expect(sumMoney(['19.99', '0.01', null, '-5.005'])).toBe('14.995');
    expect(toMicros('1.5')).toBe(1_500_000n);
    expect(toMicros('-0.000001')).toBe(-1n);
    expect(fromMicros(123_456_789n)).toBe('123.456789');
    expect(fromMicros(-50_000n)).toBe('-0.05');
    expect(() => toMicros('1e3')).toThrow();
    // Beyond 2^53 micros a float would already be wrong.
    expect(sumMoney(['9007199254.740993', '0.000001'])).toBe('9007199254.740994');
  });

  it('rounds totals to cents half away from zero, in integers', () => {
    expect(roundToCents('16774.699')).toBe('16774.70');
    expect(roundToCents('0.005')).toBe('0.01');
    expect(roundToCents('-0.005')).toBe('-0.01');
    expect(roundToCents('2.004999')).toBe('2.00');
    expect(formatMoneyTotal('127.999992', 'USD')).toBe('$128.00');
  });

  it('shows every price, total, value and margin to the currency\'s minor unit, never six decimals', () => {
    expect(formatMoney('1234.5', 'USD')).toBe('$1,234.50');
    expect(formatMoney('8.463687', 'USD')).toBe('$8.46');
    expect(formatMoney('11.098333', 'USD')).toBe('$11.10');
    expect(formatMoney('0.125', 'USD')).toBe('$0.13');
    expect(formatMoney('-0.005', 'USD')).toBe('−$0.01');
    expect(formatMoney('-3.00', 'EUR')).toBe('−€3.00');
    expect(formatMoney('10', 'SEK')).toBe('SEK 10.00');
    expect(formatMoney('1234.5', 'JPY')).toBe('¥1,235');
    expect(formatMoney('1.2345', 'KWD')).toBe('KWD 1.235');
    expect(formatMoney(null)).toBe('—');
    expect(formatMoneyShort('12345.67', 'USD')).toBe('$12.3k');
    expect(formatMoneyShort('250.00', 'USD')).toBe('$250');
    expect(formatMoneyShort('2500000', 'USD')).toBe('$2.5M');
  });

  it('shows a unit cost with at least the minor unit and at most four decimals', () => {
    expect(formatUnitCost('4.9', 'USD')).toBe('$4.90');
    expect(formatUnitCost('0.018', 'USD')).toBe('$0.018');
    expect(formatUnitCost('0.0125', 'USD')).toBe('$0.0125');
    expect(formatUnitCost('11.098333', 'USD')).toBe('$11.0983');
    expect(formatUnitCost('0.00005', 'USD')).toBe('$0.0001');
  });

  it('knows a zero amount, so a receipt leaves out "Discounts −$0.00"', () => {
    expect(isZeroMoney('0.00')).toBe(true);
    expect(isZeroMoney('0')).toBe(true);
    expect(isZeroMoney('0.000001')).toBe(false);
  });
});

describe('quantities', () => {
  it('reads at most three decimals, and zero or negatives only when asked', () => {
    expect(parseQuantityInput('1.5')).toEqual({ ok: true, value: 1.5 });
    expect(parseQuantityInput('0,25')).toEqual({ ok: true, value: 0.25 });
    expect(parseQuantityInput('1.2345')).toEqual({ ok: false, message: 'At most 3 decimals' });
    expect(parseQuantityInput('0')).toEqual({ ok: false, message: 'Must not be zero' });
    expect(parseQuantityInput('0', { allowZero: true })).toEqual({ ok: true, value: 0 });
    expect(parseQuantityInput('-2')).toEqual({ ok: false, message: 'Must not be negative' });
    expect(parseQuantityInput('-2', { allowNegative: true })).toEqual({ ok: true, value: -2 });
    expect(parseQuantityInput('two').ok).toBe(false);
    expect(parseQuantityInput('.').ok).toBe(false);
  });

  it('formats without float noise', () => {
    expect(formatQty(1500)).toBe('1,500');
    expect(formatQty(1.5, 'kg')).toBe('1.5 kg');
    expect(formatQty(0.1 + 0.2)).toBe('0.3');
    expect(formatQty(-2.125)).toBe('−2.125');
    expect(formatQty(null)).toBe('—');
  });
});
