import type { Item } from '../../../api/types.ts';
import { percentToPpm, type Discount } from '../../../lib/basket.ts';
import { parseMoneyInput, toMicros } from '../../../lib/decimal.ts';
import type { ModifierGroup } from '../types.ts';

/** One line of the basket as the person is editing it: text as typed, checked when paying. */
export interface CounterLine {
  key: number;
  item: Item;
  qty: string;
  groups: ModifierGroup[];
  modifiers: string[];
  discountKind: DiscountKind;
  discountValue: string;
  discountReason: string;
}

export type DiscountKind = 'none' | 'percent' | 'amount';

export const DISCOUNT_OPTIONS = [
  { value: 'none', label: 'None' },
  { value: 'percent', label: 'Percent off' },
  { value: 'amount', label: 'Amount off' },
];

/** A typed discount as the basket prices it; null when there is none or it is not readable yet. */
export function discountOf(kind: DiscountKind, value: string): Discount {
  if (kind === 'percent') {
    const ppm = percentToPpm(value);
    return ppm === null ? null : { kind: 'percent', ppm };
  }
  if (kind === 'amount') {
    const m = parseMoneyInput(value, { decimals: 2 });
    return m.ok ? { kind: 'amount', micros: toMicros(m.value) } : null;
  }
  return null;
}

/** A discount as the API takes it: `{percent}` as typed, `{amount}` as a decimal string. */
export function discountBody(kind: DiscountKind, value: string, reason: string) {
  if (kind === 'none') return undefined;
  const amount = parseMoneyInput(value);
  return { [kind]: kind === 'percent' ? value.trim() : amount.ok ? amount.value : value, reason: reason || 'counter discount' };
}
