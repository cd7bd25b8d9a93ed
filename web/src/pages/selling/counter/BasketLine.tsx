import { useSettings } from '../../../auth/session.tsx';
import { Money, SelectField, TextField } from '../../../components/ui.tsx';
import { formatMoney, fromMicros, isZeroMoney } from '../../../lib/decimal.ts';
import { DISCOUNT_OPTIONS, type CounterLine, type DiscountKind } from './counter-lines.ts';

/** One line of the basket: quantity, the item's modifier groups, a discount, and its amount. */
export function BasketLine({
  line: l,
  index: i,
  amountMicros,
  taxRate,
  errors,
  onChange,
  onRemove,
}: {
  line: CounterLine;
  index: number;
  /** The line's amount before discounts and tax (quantity × price with modifiers), as the receipt shows it. */
  amountMicros: bigint;
  /** The line's tax rate from the shop's tax rules, as a percentage. */
  taxRate: string;
  errors: Record<string, string>;
  onChange(change: Partial<CounterLine>): void;
  onRemove(): void;
}) {
  const currency = useSettings().base_currency;
  return (
    <li className="basket-line">
      <div className="row">
        <strong className="grow">{l.item.name}</strong>
        <span className="num">{formatMoney(fromMicros(amountMicros), currency)}</span>
      </div>
      <div className="row">
        <button type="button" aria-label={`One fewer ${l.item.name}`} onClick={() => onChange({ qty: String(Math.max(1, Number(l.qty) - 1)) })}>
          −
        </button>
        <TextField label={<span className="sr-only">Quantity of {l.item.name}</span>} inputMode="decimal" value={l.qty} onValue={(v) => onChange({ qty: v })} error={errors[`lines.${i}.qty`]} size={5} />
        <button type="button" aria-label={`One more ${l.item.name}`} onClick={() => onChange({ qty: String(Number(l.qty) + 1) })}>
          +
        </button>
        <span className="muted">
          × <Money value={l.item.price} /> {l.item.base_unit}
        </span>
        <span className="muted" data-testid="line-tax-rate">
          tax {taxRate}%
        </span>
        <button type="button" className="link" onClick={onRemove} aria-label={`Remove ${l.item.name}`}>
          Remove
        </button>
      </div>
      {l.groups.map((g) => (
        <fieldset key={g.id} className="modifiers">
          <legend>
            {g.name}
            {g.required ? ' (required)' : ''}
          </legend>
          {g.modifiers.map((m) => (
            <label key={m.id}>
              <input
                type={g.selection === 'single' ? 'radio' : 'checkbox'}
                name={`${l.key}-${g.id}`}
                checked={l.modifiers.includes(m.id)}
                onChange={(e) => {
                  const others = l.modifiers.filter((id) => !g.modifiers.some((x) => x.id === id));
                  const inGroup = l.modifiers.filter((id) => g.modifiers.some((x) => x.id === id) && id !== m.id);
                  onChange({ modifiers: e.target.checked ? [...others, ...(g.selection === 'single' ? [] : inGroup), m.id] : [...others, ...inGroup] });
                }}
              />{' '}
              {m.name} {!isZeroMoney(m.price_delta) && <span className="muted">+{formatMoney(m.price_delta, currency)}</span>}
            </label>
          ))}
          {g.selection === 'single' && !g.required && l.modifiers.some((id) => g.modifiers.some((x) => x.id === id)) && (
            <button type="button" className="link" onClick={() => onChange({ modifiers: l.modifiers.filter((id) => !g.modifiers.some((x) => x.id === id)) })}>
              none
            </button>
          )}
        </fieldset>
      ))}
      {errors[`lines.${i}.modifiers`] && <div className="field-error">{errors[`lines.${i}.modifiers`]}</div>}
      {errors[`lines.${i}`] && <div className="field-error">{errors[`lines.${i}`]}</div>}
      <details open={l.discountKind !== 'none'}>
        <summary>Discount</summary>
        <div className="row">
          <SelectField label="Kind" value={l.discountKind} onValue={(v) => onChange({ discountKind: v as DiscountKind })} options={DISCOUNT_OPTIONS} />
          {l.discountKind !== 'none' && (
            <>
              <TextField label={l.discountKind === 'percent' ? '%' : 'Amount'} inputMode="decimal" value={l.discountValue} onValue={(v) => onChange({ discountValue: v })} error={errors[`lines.${i}.discount`]} />
              <TextField label="Reason" value={l.discountReason} onValue={(v) => onChange({ discountReason: v })} />
            </>
          )}
        </div>
      </details>
    </li>
  );
}
