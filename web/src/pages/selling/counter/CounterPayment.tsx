import { useSettings } from '../../../auth/session.tsx';
import { Progress, SelectField, TextField } from '../../../components/ui.tsx';
import type { BasketTotals } from '../../../lib/basket.ts';
import { formatMoney, fromMicros } from '../../../lib/decimal.ts';
import { DISCOUNT_OPTIONS, type DiscountKind } from './counter-lines.ts';

export type Tender = 'cash' | 'card' | 'voucher' | 'other';
export interface SaleDiscountInput {
  kind: DiscountKind;
  value: string;
  reason: string;
}

/**
 * The till's side panel: a discount on the whole sale, the running totals, the tender and the Take
 * button. Nobody types a tax rate here: each line's rate comes from the shop's tax set-up.
 */
export function CounterPayment(props: {
  totals: BasketTotals;
  /** The prices include tax: the tax is shown as part of the total, not added to it. */
  taxIncluded: boolean;
  saleDiscount: SaleDiscountInput;
  onSaleDiscount(change: Partial<SaleDiscountInput>): void;
  tender: Tender;
  onTender(t: Tender): void;
  tendered: string;
  onTendered(v: string): void;
  errors: Record<string, string>;
  canPay: boolean;
  paying: boolean;
  onPay(): void;
}) {
  const { totals, saleDiscount, errors } = props;
  const currency = useSettings().base_currency;
  const due = formatMoney(fromMicros(totals.total), currency);
  return (
    <aside className="card counter-pay" aria-label="Payment">
      <details>
        <summary>Discount on the whole sale</summary>
        <SelectField label="Kind" value={saleDiscount.kind} onValue={(v) => props.onSaleDiscount({ kind: v as DiscountKind })} options={DISCOUNT_OPTIONS} />
        {saleDiscount.kind !== 'none' && (
          <>
            <TextField label={saleDiscount.kind === 'percent' ? '%' : 'Amount'} value={saleDiscount.value} onValue={(v) => props.onSaleDiscount({ value: v })} error={errors.discount} />
            <TextField label="Reason" value={saleDiscount.reason} onValue={(v) => props.onSaleDiscount({ reason: v })} />
          </>
        )}
      </details>
      <dl className="totals" data-testid="basket-totals">
        <dt>Subtotal</dt>
        <dd>{formatMoney(fromMicros(totals.subtotal), currency)}</dd>
        {totals.discount !== 0n && (
          <>
            <dt>Discounts</dt>
            <dd>−{formatMoney(fromMicros(totals.discount), currency)}</dd>
          </>
        )}
        <dt>{props.taxIncluded ? 'Tax included' : 'Tax'}</dt>
        <dd data-testid="basket-tax">{formatMoney(fromMicros(totals.tax), currency)}</dd>
      </dl>
      <p className="basket-total" data-testid="basket-total">
        {due}
      </p>
      <fieldset className="tender-buttons">
        <legend>Paid by</legend>
        {(['card', 'cash', 'voucher', 'other'] as const).map((t) => (
          <label key={t} className={`tender ${props.tender === t ? 'chosen' : ''}`}>
            <input type="radio" name="tender" checked={props.tender === t} onChange={() => props.onTender(t)} /> {t}
          </label>
        ))}
      </fieldset>
      {props.tender === 'cash' && <TextField label="Cash handed over" inputMode="decimal" value={props.tendered} onValue={props.onTendered} error={errors['payments.0.amount']} hint={`Empty: exactly ${due}`} />}
      {errors.payments && <div className="field-error">{errors.payments}</div>}
      <button type="button" className="primary block" onClick={props.onPay} disabled={!props.canPay || props.paying}>
        {props.paying ? 'Recording…' : `Take ${due}`}
      </button>
      {props.paying && <Progress label="Recording the sale…" />}
    </aside>
  );
}
