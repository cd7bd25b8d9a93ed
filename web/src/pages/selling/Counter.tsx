import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { ApiError, mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Item } from '../../api/types.ts';
import { useLocations, useSettings, useSignedIn, useSite } from '../../auth/session.tsx';
import { ItemSearch } from '../../components/ItemSearch.tsx';
import { ScanBox, type ScanOutcome } from '../../components/ScanBox.tsx';
import { Empty, FormErrors, Money, PageHeader, Progress, SelectField, TextField } from '../../components/ui.tsx';
import { percentToPpm, priceBasket, qtyToMilli, type Discount } from '../../lib/basket.ts';
import { formatMoney, formatQty, fromMicros, parseMoneyInput, parseQuantityInput, toMicros } from '../../lib/decimal.ts';
import type { ModifierGroup, Sale } from './types.ts';

interface Line {
  key: number;
  item: Item;
  qty: string;
  groups: ModifierGroup[];
  modifiers: string[];
  discountKind: 'none' | 'percent' | 'amount';
  discountValue: string;
  discountReason: string;
}

const none: MappedProblem = { byField: {}, general: [] };
let nextKey = 1;

function discountOf(kind: 'none' | 'percent' | 'amount', value: string): Discount {
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

/** The counter: scan or search, quantities, modifiers, discounts, payment and the receipt; made for a tablet. */
export function CounterPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const { byId, sites } = useLocations();
  const settings = useSettings();
  const qc = useQueryClient();
  const store = siteId ? byId.get(siteId) : undefined;
  const [register, setRegister] = useState(() => localStorage.getItem('stockroom.register') ?? 'T1');
  const [lines, setLines] = useState<Line[]>([]);
  const [taxRate, setTaxRate] = useState(() => localStorage.getItem('stockroom.tax_rate') ?? '0');
  const [saleDiscount, setSaleDiscount] = useState({ kind: 'none' as 'none' | 'percent' | 'amount', value: '', reason: '' });
  const [tender, setTender] = useState<'cash' | 'card' | 'voucher' | 'other'>('card');
  const [tendered, setTendered] = useState('');
  const [problem, setProblem] = useState(none);
  const [receipt, setReceipt] = useState<Sale | null>(null);
  // One key per sale attempt: pressing Pay again after a dropped connection cannot charge twice.
  const [attemptKey, setAttemptKey] = useState(() => newIdempotencyKey('sale'));

  const addItem = async (item: Item) => {
    const groups = await qc.ensureQueryData({
      queryKey: ['item-modifier-groups', item.id],
      queryFn: () => api.get<{ data: ModifierGroup[] }>(`/api/v1/items/${item.id}/modifier-groups`),
      staleTime: 60_000,
    });
    setReceipt(null);
    setLines((ls) => {
      const same = groups.data.length === 0 ? ls.findIndex((l) => l.item.id === item.id && l.discountKind === 'none') : -1;
      if (same >= 0) return ls.map((l, i) => (i === same ? { ...l, qty: formatQty(Number(l.qty) + 1).replace(/,/g, '') } : l));
      return [...ls, { key: nextKey++, item, qty: '1', groups: groups.data, modifiers: [], discountKind: 'none', discountValue: '', discountReason: '' }];
    });
  };

  const onScan = async (code: string): Promise<ScanOutcome> => {
    try {
      const item = await api.get<Item>(`/api/v1/items/by-barcode/${encodeURIComponent(code)}`);
      await addItem(item);
      return { ok: true, message: `${item.name} added` };
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        const found = await api.post<{ item: { id: string } | null }>('/api/v1/scan/resolve', { code });
        if (found.item) {
          const item = await api.get<Item>(`/api/v1/items/${found.item.id}`);
          await addItem(item);
          return { ok: true, message: `${item.name} added` };
        }
        return { ok: false, message: 'no item has this code' };
      }
      throw error;
    }
  };

  const update = (key: number, change: Partial<Line>) => setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...change } : l)));

  const totals = useMemo(() => {
    const taxPpm = percentToPpm(taxRate) ?? 0n;
    const basket = lines.map((l) => {
      const q = parseQuantityInput(l.qty);
      const modifierDelta = l.groups.flatMap((g) => g.modifiers).filter((m) => l.modifiers.includes(m.id)).reduce((s, m) => s + toMicros(m.price_delta), 0n);
      return { qtyMilli: q.ok ? qtyToMilli(q.value) : 0n, unitPriceMicros: toMicros(l.item.price ?? '0') + modifierDelta, discount: discountOf(l.discountKind, l.discountValue), taxPpm };
    });
    return priceBasket(basket, discountOf(saleDiscount.kind, saleDiscount.value));
  }, [lines, taxRate, saleDiscount]);
  const due = fromMicros(totals.total);

  const sell = useMutation({
    mutationFn: (body: unknown) => api.post<Sale>('/api/v1/sales', body, { idempotencyKey: attemptKey }),
    onSuccess: (sale) => {
      setReceipt(sale);
      setLines([]);
      setTendered('');
      setSaleDiscount({ kind: 'none', value: '', reason: '' });
      setAttemptKey(newIdempotencyKey('sale'));
      void qc.invalidateQueries({ queryKey: ['balances'] });
      void qc.invalidateQueries({ queryKey: ['movements'] });
      void qc.invalidateQueries({ queryKey: ['sales'] });
    },
    onError: (error) => {
      const fields = ['location_id', 'register', 'tax_rate', 'discount', 'payments', 'payments.0.amount', ...lines.flatMap((_, i) => [`lines.${i}`, `lines.${i}.qty`, `lines.${i}.modifiers`, `lines.${i}.discount`])];
      setProblem(mapProblem(error, fields));
    },
  });

  const pay = () => {
    const local: Record<string, string> = {};
    if (!store || store.kind !== 'site') local.location_id = 'Choose the store you are selling at (top of the page)';
    const body = {
      location_id: siteId,
      register,
      tax_rate: taxRate.trim() || '0',
      ...(session.user ? { employee: session.user.name } : {}),
      ...(saleDiscount.kind !== 'none'
        ? { discount: { [saleDiscount.kind]: saleDiscount.kind === 'percent' ? saleDiscount.value.trim() : (parseMoneyInput(saleDiscount.value).ok ? (parseMoneyInput(saleDiscount.value) as { value: string }).value : saleDiscount.value), reason: saleDiscount.reason || 'counter discount' } }
        : {}),
      lines: lines.map((l, i) => {
        const q = parseQuantityInput(l.qty);
        if (!q.ok) local[`lines.${i}.qty`] = q.message;
        if (l.discountKind !== 'none' && !discountOf(l.discountKind, l.discountValue)) local[`lines.${i}.discount`] = l.discountKind === 'percent' ? 'A percentage from 0 to 100' : 'An amount in whole cents';
        return {
          item_id: l.item.id,
          qty: q.ok ? q.value : 0,
          modifiers: l.modifiers,
          ...(l.discountKind !== 'none'
            ? { discount: { [l.discountKind]: l.discountKind === 'percent' ? l.discountValue.trim() : ((parseMoneyInput(l.discountValue) as { value?: string }).value ?? l.discountValue), reason: l.discountReason || 'counter discount' } }
            : {}),
        };
      }),
      payments: [] as { tender: string; amount: string }[],
    };
    const amount = tender === 'cash' && tendered.trim() ? parseMoneyInput(tendered, { decimals: 2 }) : { ok: true as const, value: due };
    if (!amount.ok) local['payments.0.amount'] = amount.message;
    else if (toMicros(amount.value) > 0n) body.payments.push({ tender, amount: amount.value });
    if (Object.keys(local).length) return setProblem({ byField: local, general: local.location_id ? [local.location_id] : ['Some lines need attention.'] });
    setProblem(none);
    localStorage.setItem('stockroom.register', register);
    localStorage.setItem('stockroom.tax_rate', taxRate);
    sell.mutate(body);
  };

  const currency = settings.base_currency;
  const stores = sites.filter((s) => s.site_type === 'store');
  return (
    <section>
      <PageHeader title="Counter">
        <p className="subtitle">
          {store ? `Selling at ${store.name}` : `Choose a store at the top (${stores.map((s) => s.name).join(', ') || 'none yet'})`} · register{' '}
          <input className="inline-input" aria-label="Register" value={register} onChange={(e) => setRegister(e.target.value)} size={4} />
        </p>
      </PageHeader>
      <div className="counter">
        <div>
          <div className="card">
            <ScanBox onScan={onScan} compact label="Scan an item" camera />
            <ItemSearch label="Or search" onPick={(item) => void addItem(item)} />
          </div>
          <div className="card" data-testid="basket">
            <h2>Basket</h2>
            <FormErrors messages={problem.general} />
            {lines.length === 0 ? (
              <Empty>Scan or search to add items.</Empty>
            ) : (
              <ul className="basket">
                {lines.map((l, i) => (
                  <li key={l.key} className="basket-line">
                    <div className="row">
                      <strong className="grow">{l.item.name}</strong>
                      <span className="num">{formatMoney(fromMicros(totals.lines[i]?.total ?? 0n), currency)}</span>
                    </div>
                    <div className="row">
                      <button type="button" aria-label={`One fewer ${l.item.name}`} onClick={() => update(l.key, { qty: String(Math.max(1, Number(l.qty) - 1)) })}>
                        −
                      </button>
                      <TextField label={<span className="sr-only">Quantity of {l.item.name}</span>} inputMode="decimal" value={l.qty} onValue={(v) => update(l.key, { qty: v })} error={problem.byField[`lines.${i}.qty`]} size={5} />
                      <button type="button" aria-label={`One more ${l.item.name}`} onClick={() => update(l.key, { qty: String(Number(l.qty) + 1) })}>
                        +
                      </button>
                      <span className="muted">
                        × <Money value={l.item.price} /> {l.item.base_unit}
                      </span>
                      <button type="button" className="link" onClick={() => setLines((ls) => ls.filter((x) => x.key !== l.key))} aria-label={`Remove ${l.item.name}`}>
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
                                update(l.key, { modifiers: e.target.checked ? [...others, ...(g.selection === 'single' ? [] : inGroup), m.id] : [...others, ...inGroup] });
                              }}
                            />{' '}
                            {m.name} {m.price_delta !== '0.00' && <span className="muted">+{formatMoney(m.price_delta, currency)}</span>}
                          </label>
                        ))}
                        {g.selection === 'single' && !g.required && l.modifiers.some((id) => g.modifiers.some((x) => x.id === id)) && (
                          <button type="button" className="link" onClick={() => update(l.key, { modifiers: l.modifiers.filter((id) => !g.modifiers.some((x) => x.id === id)) })}>
                            none
                          </button>
                        )}
                      </fieldset>
                    ))}
                    {problem.byField[`lines.${i}.modifiers`] && <div className="field-error">{problem.byField[`lines.${i}.modifiers`]}</div>}
                    {problem.byField[`lines.${i}`] && <div className="field-error">{problem.byField[`lines.${i}`]}</div>}
                    <details open={l.discountKind !== 'none'}>
                      <summary>Discount</summary>
                      <div className="row">
                        <SelectField
                          label="Kind"
                          value={l.discountKind}
                          onValue={(v) => update(l.key, { discountKind: v as Line['discountKind'] })}
                          options={[
                            { value: 'none', label: 'None' },
                            { value: 'percent', label: 'Percent off' },
                            { value: 'amount', label: 'Amount off' },
                          ]}
                        />
                        {l.discountKind !== 'none' && (
                          <>
                            <TextField label={l.discountKind === 'percent' ? '%' : 'Amount'} inputMode="decimal" value={l.discountValue} onValue={(v) => update(l.key, { discountValue: v })} error={problem.byField[`lines.${i}.discount`]} />
                            <TextField label="Reason" value={l.discountReason} onValue={(v) => update(l.key, { discountReason: v })} />
                          </>
                        )}
                      </div>
                    </details>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
        <aside className="card counter-pay" aria-label="Payment">
          <div className="row">
            <TextField label="Tax rate (%)" inputMode="decimal" value={taxRate} onValue={setTaxRate} error={problem.byField.tax_rate} />
          </div>
          <details>
            <summary>Discount on the whole sale</summary>
            <SelectField
              label="Kind"
              value={saleDiscount.kind}
              onValue={(v) => setSaleDiscount((d) => ({ ...d, kind: v as typeof d.kind }))}
              options={[
                { value: 'none', label: 'None' },
                { value: 'percent', label: 'Percent off' },
                { value: 'amount', label: 'Amount off' },
              ]}
            />
            {saleDiscount.kind !== 'none' && (
              <>
                <TextField label={saleDiscount.kind === 'percent' ? '%' : 'Amount'} value={saleDiscount.value} onValue={(v) => setSaleDiscount((d) => ({ ...d, value: v }))} error={problem.byField.discount} />
                <TextField label="Reason" value={saleDiscount.reason} onValue={(v) => setSaleDiscount((d) => ({ ...d, reason: v }))} />
              </>
            )}
          </details>
          <dl className="totals">
            <dt>Subtotal</dt>
            <dd>{formatMoney(fromMicros(totals.subtotal), currency)}</dd>
            <dt>Discounts</dt>
            <dd>−{formatMoney(fromMicros(totals.discount), currency)}</dd>
            <dt>Tax</dt>
            <dd>{formatMoney(fromMicros(totals.tax), currency)}</dd>
          </dl>
          <p className="basket-total" data-testid="basket-total">
            {formatMoney(due, currency)}
          </p>
          <fieldset className="tender-buttons">
            <legend>Paid by</legend>
            {(['card', 'cash', 'voucher', 'other'] as const).map((t) => (
              <label key={t} className={`tender ${tender === t ? 'chosen' : ''}`}>
                <input type="radio" name="tender" checked={tender === t} onChange={() => setTender(t)} /> {t}
              </label>
            ))}
          </fieldset>
          {tender === 'cash' && <TextField label="Cash handed over" inputMode="decimal" value={tendered} onValue={setTendered} error={problem.byField['payments.0.amount']} hint={`Empty: exactly ${formatMoney(due, currency)}`} />}
          {problem.byField.payments && <div className="field-error">{problem.byField.payments}</div>}
          <button type="button" className="primary block" onClick={pay} disabled={lines.length === 0 || sell.isPending}>
            {sell.isPending ? 'Recording…' : `Take ${formatMoney(due, currency)}`}
          </button>
          {sell.isPending && <Progress label="Recording the sale…" />}
        </aside>
      </div>
      {receipt && <Receipt sale={receipt} />}
    </section>
  );
}

export function Receipt({ sale }: { sale: Sale }) {
  const settings = useSettings();
  const session = useSignedIn();
  const c = sale.currency;
  return (
    <div className="card receipt-print" role="region" aria-label={`Receipt ${sale.number}`} data-testid="receipt">
      <h2>
        {settings.shop_name} — receipt {sale.number}
      </h2>
      <p className="muted">
        {new Date(sale.created_at).toLocaleString()} · register {sale.register}
        {sale.employee ? ` · ${sale.employee}` : ''}
      </p>
      <table>
        <tbody>
          {sale.lines.map((l) => (
            <tr key={l.id}>
              <td>
                {formatQty(l.qty)} × {l.name}
                {l.modifiers.map((m) => (
                  <div key={m.modifier_id} className="muted">
                    + {m.name}
                  </div>
                ))}
                {l.discount !== '0.00' && <div className="muted">discount −{formatMoney(l.discount, c)}</div>}
              </td>
              <td className="num">{formatMoney(l.total, c)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td>Subtotal</td>
            <td className="num">{formatMoney(sale.totals.subtotal, c)}</td>
          </tr>
          {sale.totals.discount !== '0.00' && (
            <tr>
              <td>Discounts</td>
              <td className="num">−{formatMoney(sale.totals.discount, c)}</td>
            </tr>
          )}
          <tr>
            <td>Tax</td>
            <td className="num">{formatMoney(sale.totals.tax, c)}</td>
          </tr>
          <tr>
            <td>
              <strong>Total</strong>
            </td>
            <td className="num" data-testid="receipt-total">
              <strong>{formatMoney(sale.totals.total, c)}</strong>
            </td>
          </tr>
          {sale.payments.map((p, i) => (
            <tr key={i}>
              <td>Paid {p.tender}</td>
              <td className="num">{formatMoney(p.amount, c)}</td>
            </tr>
          ))}
          {sale.totals.change !== '0.00' && (
            <tr>
              <td>Change</td>
              <td className="num" data-testid="receipt-change">
                {formatMoney(sale.totals.change, c)}
              </td>
            </tr>
          )}
          {session.seesCosts && sale.margin && (
            <tr className="no-print">
              <td>Margin (not printed)</td>
              <td className="num">{formatMoney(sale.margin, c)}</td>
            </tr>
          )}
        </tfoot>
      </table>
      {sale.warnings.length > 0 && (
        <p className="warning no-print">The records now show negative stock for {sale.warnings.length} item(s): a count is due.</p>
      )}
      <div className="row no-print">
        <button type="button" onClick={() => window.print()}>
          Print receipt
        </button>
        <Link to={`/selling/sales/${sale.id}`}>Open the sale</Link>
      </div>
    </div>
  );
}
