import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Item } from '../../api/types.ts';
import { useLocations, useSignedIn, useSite } from '../../auth/session.tsx';
import { ItemSearch } from '../../components/ItemSearch.tsx';
import { ScanBox, type ScanOutcome } from '../../components/ScanBox.tsx';
import { Empty, FormErrors, PageHeader } from '../../components/ui.tsx';
import { ppmToPercent, priceBasket, qtyToMilli, rateOfItem, type TaxTable } from '../../lib/basket.ts';
import { formatQty, fromMicros, parseMoneyInput, parseQuantityInput, toMicros } from '../../lib/decimal.ts';
import { lookUpItem } from '../../lib/lookup.ts';
import { cachedGet, modifierGroupsOf } from '../../offline/cache.ts';
import { useOffline } from '../../offline/OfflineProvider.tsx';
import { isUnreachable } from '../../offline/send.ts';
import { BasketLine } from './counter/BasketLine.tsx';
import { discountBody, discountOf, type CounterLine } from './counter/counter-lines.ts';
import { CounterPayment, type SaleDiscountInput, type Tender } from './counter/CounterPayment.tsx';
import { SaleReceipt } from './counter/SaleReceipt.tsx';
import type { ModifierGroup, Sale } from './types.ts';

const none: MappedProblem = { byField: {}, general: [] };
const noDiscount: SaleDiscountInput = { kind: 'none', value: '', reason: '' };
let nextKey = 1;

/** The counter: scan or search, quantities, modifiers, discounts, payment and the receipt; made for a tablet. */
export function CounterPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const { byId, sites } = useLocations();
  const qc = useQueryClient();
  const store = siteId ? byId.get(siteId) : undefined;
  const [register, setRegister] = useState(() => localStorage.getItem('stockroom.register') ?? 'T1');
  const [lines, setLines] = useState<CounterLine[]>([]);
  // The shop's tax rules resolved for this store, kept for offline use: the till works out each
  // line's rate exactly as the server will.
  const taxQuery = useQuery({
    queryKey: ['tax-table', siteId],
    queryFn: () => cachedGet<TaxTable>('/api/v1/tax-table', { site_id: siteId! }),
    enabled: Boolean(siteId) && store?.kind === 'site',
    staleTime: 60_000,
  });
  const taxTable = taxQuery.data;
  const [saleDiscount, setSaleDiscount] = useState(noDiscount);
  const [tender, setTender] = useState<Tender>('card');
  const [tendered, setTendered] = useState('');
  const [problem, setProblem] = useState(none);
  const [receipt, setReceipt] = useState<Sale | null>(null);
  const [queued, setQueued] = useState<{ at: string; total: string } | null>(null);
  const offline = useOffline();
  // A new sale starts with a clean scan box: the last sale's "✓ … added" must not linger.
  const [salesRecorded, setSalesRecorded] = useState(0);
  // One key per sale attempt: pressing Pay again after a dropped connection cannot charge twice.
  const [attemptKey, setAttemptKey] = useState(() => newIdempotencyKey('sale'));

  const addItem = async (item: Item) => {
    const groups = await qc.ensureQueryData({
      queryKey: ['item-modifier-groups', item.id],
      queryFn: () => modifierGroupsOf<ModifierGroup>(item.id),
      staleTime: 60_000,
    });
    setReceipt(null);
    setQueued(null);
    setLines((ls) => {
      const same = groups.data.length === 0 ? ls.findIndex((l) => l.item.id === item.id && l.discountKind === 'none') : -1;
      if (same >= 0) return ls.map((l, i) => (i === same ? { ...l, qty: formatQty(Number(l.qty) + 1).replace(/,/g, '') } : l));
      return [...ls, { key: nextKey++, item, qty: '1', groups: groups.data, modifiers: [], discountKind: 'none', discountValue: '', discountReason: '' }];
    });
  };

  const onScan = async (code: string): Promise<ScanOutcome> => {
    const item = await lookUpItem(code);
    if (!item) return { ok: false, message: 'no item has this code' };
    await addItem(item);
    return { ok: true, message: `${item.name} added` };
  };

  const update = (key: number, change: Partial<CounterLine>) => setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...change } : l)));

  const totals = useMemo(() => {
    const basket = lines.map((l) => {
      const q = parseQuantityInput(l.qty);
      const modifierDelta = l.groups.flatMap((g) => g.modifiers).filter((m) => l.modifiers.includes(m.id)).reduce((s, m) => s + toMicros(m.price_delta), 0n);
      return { qtyMilli: q.ok ? qtyToMilli(q.value) : 0n, unitPriceMicros: toMicros(l.item.price ?? '0') + modifierDelta, discount: discountOf(l.discountKind, l.discountValue), taxPpm: rateOfItem(taxTable, l.item) };
    });
    return priceBasket(basket, discountOf(saleDiscount.kind, saleDiscount.value), taxTable?.prices_include_tax ?? false);
  }, [lines, taxTable, saleDiscount]);

  const sell = useMutation({
    mutationFn: async (body: Record<string, unknown>): Promise<Sale | null> => {
      // Offline, or the server out of reach: the sale is kept on this till with its key and the
      // moment it was rung up, and sent in order when the server is back.
      const keep = async () => {
        const occurredAt = new Date().toISOString();
        await offline.enqueue({
          kind: 'sale',
          method: 'POST',
          path: '/api/v1/sales',
          body: { ...body, occurred_at: occurredAt },
          idempotencyKey: attemptKey,
          occurredAt,
          summary: `Sale at ${register}: ${lines.map((l) => `${l.qty} × ${l.item.name}`).join(', ')}`,
        });
        setQueued({ at: occurredAt, total: fromMicros(totals.total) });
        return null;
      };
      if (!offline.online) return keep();
      try {
        return await api.post<Sale>('/api/v1/sales', body, { idempotencyKey: attemptKey });
      } catch (error) {
        if (!isUnreachable(error)) throw error;
        offline.markOffline();
        return keep();
      }
    },
    onSuccess: (sale) => {
      setReceipt(sale);
      if (sale) setQueued(null);
      setLines([]);
      setTendered('');
      setSaleDiscount(noDiscount);
      setAttemptKey(newIdempotencyKey('sale'));
      setSalesRecorded((n) => n + 1);
      void qc.invalidateQueries({ queryKey: ['balances'] });
      void qc.invalidateQueries({ queryKey: ['movements'] });
      void qc.invalidateQueries({ queryKey: ['sales'] });
    },
    onError: (error) => {
      const fields = ['location_id', 'register', 'discount', 'payments', 'payments.0.amount', ...lines.flatMap((_, i) => [`lines.${i}`, `lines.${i}.qty`, `lines.${i}.modifiers`, `lines.${i}.discount`])];
      setProblem(mapProblem(error, fields));
    },
  });

  const pay = () => {
    const local: Record<string, string> = {};
    if (!store || store.kind !== 'site') local.location_id = 'Choose the store you are selling at (top of the page)';
    const sold = discountBody(saleDiscount.kind, saleDiscount.value, saleDiscount.reason);
    const body = {
      location_id: siteId,
      register,
      ...(session.user ? { employee: session.user.name } : {}),
      ...(sold ? { discount: sold } : {}),
      lines: lines.map((l, i) => {
        const q = parseQuantityInput(l.qty);
        if (!q.ok) local[`lines.${i}.qty`] = q.message;
        if (l.discountKind !== 'none' && !discountOf(l.discountKind, l.discountValue)) local[`lines.${i}.discount`] = l.discountKind === 'percent' ? 'A percentage from 0 to 100' : 'An amount in whole cents';
        const discount = discountBody(l.discountKind, l.discountValue, l.discountReason);
        // The price as rung up travels with the line: a sale sent later stands at it even if the price changed meanwhile.
        return { item_id: l.item.id, qty: q.ok ? q.value : 0, ...(l.item.price !== null ? { unit_price: l.item.price } : {}), modifiers: l.modifiers, ...(discount ? { discount } : {}) };
      }),
      payments: [] as { tender: string; amount: string }[],
    };
    const due = fromMicros(totals.total);
    const amount = tender === 'cash' && tendered.trim() ? parseMoneyInput(tendered, { decimals: 2 }) : { ok: true as const, value: due };
    if (!amount.ok) local['payments.0.amount'] = amount.message;
    else if (toMicros(amount.value) > 0n) body.payments.push({ tender, amount: amount.value });
    if (Object.keys(local).length) return setProblem({ byField: local, general: local.location_id ? [local.location_id] : ['Some lines need attention.'] });
    setProblem(none);
    localStorage.setItem('stockroom.register', register);
    sell.mutate(body);
  };

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
          <div className="card counter-find">
            <ScanBox key={salesRecorded} onScan={onScan} compact label="Scan an item" camera />
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
                  <BasketLine
                    key={l.key}
                    line={l}
                    index={i}
                    amountMicros={totals.lines[i]?.gross ?? 0n}
                    taxRate={ppmToPercent(rateOfItem(taxTable, l.item))}
                    errors={problem.byField}
                    onChange={(change) => update(l.key, change)}
                    onRemove={() => setLines((ls) => ls.filter((x) => x.key !== l.key))}
                  />
                ))}
              </ul>
            )}
          </div>
        </div>
        <CounterPayment
          totals={totals}
          taxIncluded={taxTable?.prices_include_tax ?? false}
          saleDiscount={saleDiscount}
          onSaleDiscount={(change) => setSaleDiscount((d) => ({ ...d, ...change }))}
          tender={tender}
          onTender={setTender}
          tendered={tendered}
          onTendered={setTendered}
          errors={problem.byField}
          canPay={lines.length > 0 && !taxQuery.isLoading}
          paying={sell.isPending}
          onPay={pay}
        />
      </div>
      {receipt && <SaleReceipt sale={receipt} />}
      {queued && (
        <div className="card" role="status" data-testid="queued-sale">
          <h2>Sale kept on this till</h2>
          <p>
            Total {queued.total}, rung up at {new Date(queued.at).toLocaleTimeString()}. The server is out of reach: the sale is sent, in order, when it is back, and gets
            its receipt number then.
          </p>
        </div>
      )}
    </section>
  );
}
