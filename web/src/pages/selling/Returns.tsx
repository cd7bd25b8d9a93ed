import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Item, Page } from '../../api/types.ts';
import { useSettings, useSignedIn, useSite } from '../../auth/session.tsx';
import { ItemSearch } from '../../components/ItemSearch.tsx';
import { Empty, ErrorBanner, formatDateTime, FormErrors, Loading, Money, PageHeader, Progress, SelectField, TextField } from '../../components/ui.tsx';
import { formatMoney, formatQty, parseQuantityInput } from '../../lib/decimal.ts';
import { itemLabel, useItemsById } from '../../lib/items.ts';
import type { Order, ReturnDoc, Sale } from './types.ts';

const none: MappedProblem = { byField: {}, general: [] };

interface ReturnableLine {
  line_id: string;
  item_id: string;
  name: string;
  sold: number;
  returned: number;
}

/** Returns and exchanges: pick the sale or order, say what comes back and in what state, refund or swap. */
export function ReturnsPage() {
  const [params] = useSearchParams();
  const saleId = params.get('sale_id');
  const orderId = params.get('order_id');
  if (saleId || orderId) return <ReturnForm saleId={saleId} orderId={orderId} />;
  return <ChooseDocument />;
}

function ChooseDocument() {
  const { siteId } = useSite();
  const sales = useQuery({ queryKey: ['sales', 'recent', siteId], queryFn: () => api.get<Page<Sale>>('/api/v1/sales', { location_id: siteId ?? undefined, limit: 20 }) });
  const orders = useQuery({ queryKey: ['orders', 'shipped'], queryFn: () => api.get<Page<Order>>('/api/v1/orders', { status: 'shipped', limit: 20 }) });
  return (
    <section>
      <PageHeader title="Returns and exchanges">
        <p className="subtitle">Choose the sale or the order the goods came from.</p>
      </PageHeader>
      <div className="grid-2">
        <div className="card">
          <h2>Recent sales</h2>
          {(sales.data?.data ?? []).length === 0 ? (
            <Empty>No sales.</Empty>
          ) : (
            <ul className="plain">
              {sales.data!.data.map((s) => (
                <li key={s.id}>
                  <Link to={`/selling/returns?sale_id=${s.id}`}>{s.number}</Link> · {formatDateTime(s.created_at)} · {s.lines.map((l) => l.name).join(', ')} · <Money value={s.totals.total} />
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="card">
          <h2>Shipped online orders</h2>
          {(orders.data?.data ?? []).length === 0 ? (
            <Empty>No shipped orders.</Empty>
          ) : (
            <ul className="plain">
              {orders.data!.data.map((o) => (
                <li key={o.id}>
                  <Link to={`/selling/returns?order_id=${o.id}`}>{o.channel_order_id}</Link> · {o.customer_name ?? ''} · <Money value={o.total} />
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

function ReturnForm({ saleId, orderId }: { saleId: string | null; orderId: string | null }) {
  const session = useSignedIn();
  const settings = useSettings();
  const { siteId } = useSite();
  const qc = useQueryClient();
  const sale = useQuery({ queryKey: ['sale', saleId], queryFn: () => api.get<Sale>(`/api/v1/sales/${saleId}`), enabled: Boolean(saleId) });
  const order = useQuery({ queryKey: ['order', orderId], queryFn: () => api.get<Order>(`/api/v1/orders/${orderId}`), enabled: Boolean(orderId) });
  const orderItems = useItemsById((order.data?.lines ?? []).map((l) => l.item_id));
  const [qty, setQty] = useState<Record<string, string>>({});
  const [condition, setCondition] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [tender, setTender] = useState('');
  const [newItems, setNewItems] = useState<{ item: Item; qty: string }[]>([]);
  const [problem, setProblem] = useState(none);
  const [done, setDone] = useState<{ kind: 'return'; doc: ReturnDoc } | { kind: 'exchange'; difference: string; sale: Sale } | null>(null);
  const [key, setKey] = useState(() => newIdempotencyKey('ret'));

  const lines: ReturnableLine[] = sale.data
    ? sale.data.lines.map((l) => ({ line_id: l.id, item_id: l.item_id, name: l.name, sold: l.qty, returned: l.qty_returned }))
    : order.data
      ? order.data.lines.map((l) => ({ line_id: l.id, item_id: l.item_id, name: itemLabel(orderItems.get(l.item_id), l.item_id), sold: l.qty_shipped, returned: l.qty_returned }))
      : [];
  const fields = ['reason', 'lines', 'refunds', ...lines.flatMap((_, i) => [`lines.${i}`, `lines.${i}.qty`]), 'return.lines', 'sale', 'sale.lines'];

  const submit = useMutation({
    mutationFn: async (): Promise<typeof done> => {
      const body = {
        ...(saleId ? { sale_id: saleId } : { order_id: orderId }),
        reason: reason || 'returned by the customer',
        lines: lines
          .filter((l) => (qty[l.line_id] ?? '').trim() !== '' && qty[l.line_id] !== '0')
          .map((l) => {
            const q = parseQuantityInput(qty[l.line_id]!);
            return { line_id: l.line_id, qty: q.ok ? q.value : 0, condition: condition[l.line_id] ?? 'restockable' };
          }),
      };
      if (newItems.length > 0) {
        const exchange = await api.post<{ difference: string; sale: Sale }>(
          '/api/v1/exchanges',
          {
            return: body,
            sale: { location_id: siteId, register: localStorage.getItem('stockroom.register') ?? 'T1', lines: newItems.map((n) => ({ item_id: n.item.id, qty: parseQuantityInput(n.qty).ok ? Number(n.qty) : 0 })), payments: [] },
            refund_tender: tender || 'cash',
          },
          { idempotencyKey: key },
        );
        return { kind: 'exchange', difference: exchange.difference, sale: exchange.sale };
      }
      // The refund goes back the way the sale was paid; the server works out the amount.
      const doc = await api.post<ReturnDoc>('/api/v1/returns', body, { idempotencyKey: key });
      return { kind: 'return', doc };
    },
    onSuccess: (result) => {
      setDone(result);
      setKey(newIdempotencyKey('ret'));
      void qc.invalidateQueries();
    },
    onError: (e) => setProblem(mapProblem(e, fields)),
  });

  if (sale.isLoading || order.isLoading) return <Loading />;
  const doc = sale.data ?? order.data;
  if (!doc) return <ErrorBanner error={sale.error ?? order.error} />;
  const title = sale.data ? `Return from sale ${sale.data.number}` : `Return from order ${order.data!.channel_order_id}`;
  return (
    <section>
      <PageHeader title={title}>
        <p className="subtitle">
          <Link to="/selling/returns">Choose another</Link>
        </p>
      </PageHeader>
      {done && (
        <div className="banner banner-ok" role="status" data-testid="return-done">
          {done.kind === 'return' ? (
            <p>
              Return recorded: {done.doc.lines.length} line(s) back, refund {formatMoney(done.doc.refund, settings.base_currency)}
              {done.doc.refunds.map((r) => ` (${r.tender})`).join('')}.
            </p>
          ) : (
            <p>
              Exchange recorded: new sale {done.sale.number};{' '}
              {done.difference.startsWith('-') ? `refund the customer ${formatMoney(done.difference.slice(1), settings.base_currency)}` : `the customer pays ${formatMoney(done.difference, settings.base_currency)}`}.
            </p>
          )}
        </div>
      )}
      <div className="card form">
        <FormErrors messages={problem.general} />
        <table data-testid="return-lines">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                {sale.data ? 'Sold' : 'Shipped'}
              </th>
              <th scope="col" className="num">
                Returned before
              </th>
              <th scope="col">Coming back</th>
              <th scope="col">Condition</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l, i) => (
              <tr key={l.line_id}>
                <td>{l.name}</td>
                <td className="num">{formatQty(l.sold)}</td>
                <td className="num">{formatQty(l.returned)}</td>
                <td>
                  <TextField
                    label={<span className="sr-only">Quantity of {l.name} coming back</span>}
                    inputMode="decimal"
                    value={qty[l.line_id] ?? ''}
                    onValue={(v) => setQty((q) => ({ ...q, [l.line_id]: v }))}
                    error={problem.byField[`lines.${i}.qty`] ?? problem.byField[`lines.${i}`]}
                    placeholder="0"
                  />
                </td>
                <td>
                  <SelectField
                    label={<span className="sr-only">Condition of {l.name}</span>}
                    value={condition[l.line_id] ?? 'restockable'}
                    onValue={(v) => setCondition((c) => ({ ...c, [l.line_id]: v }))}
                    options={[
                      { value: 'restockable', label: 'Restockable: back on the shelf' },
                      { value: 'damaged', label: 'Damaged: to scrap' },
                      { value: 'not_received', label: 'Not received: refund only' },
                    ]}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {problem.byField.lines && <div className="field-error">{problem.byField.lines}</div>}
        <div className="grid-3">
          <TextField label="Reason" value={reason} onValue={setReason} error={problem.byField.reason} />
          <SelectField
            label="In an exchange, pay the customer back by"
            value={tender}
            onValue={setTender}
            options={[
              { value: '', label: 'Cash' },
              { value: 'card', label: 'Card' },
              { value: 'voucher', label: 'Voucher' },
            ]}
          />
        </div>
        {session.can('sales.write') && (
          <fieldset>
            <legend>Exchange: what the customer takes instead (optional)</legend>
            <ItemSearch label="Add an item to the exchange" onPick={(item) => setNewItems((n) => [...n, { item, qty: '1' }])} />
            {newItems.map((n, i) => (
              <div className="row" key={`${n.item.id}-${i}`}>
                <span className="grow">
                  {n.item.name} <Money value={n.item.price} />
                </span>
                <TextField label={`Quantity of ${n.item.name}`} value={n.qty} onValue={(v) => setNewItems((all) => all.map((x, j) => (j === i ? { ...x, qty: v } : x)))} />
                <button type="button" className="link" onClick={() => setNewItems((all) => all.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </div>
            ))}
            {problem.byField.sale && <div className="field-error">{problem.byField.sale}</div>}
          </fieldset>
        )}
        <button type="button" className="primary" onClick={() => (setProblem(none), submit.mutate())} disabled={submit.isPending}>
          {newItems.length > 0 ? 'Record exchange' : 'Record return'}
        </button>
        {submit.isPending && <Progress label="Recording…" />}
      </div>
    </section>
  );
}
