import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, fetchAll, newIdempotencyKey } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Item } from '../../api/types.ts';
import { useLocationLabel, useSignedIn } from '../../auth/session.tsx';
import { ItemSearch } from '../../components/ItemSearch.tsx';
import { Empty, ErrorBanner, formatDateTime, FormErrors, Loading, Money, PageHeader, Progress, Qty, SelectField, StatusBadge, TextField } from '../../components/ui.tsx';
import { parseQuantityInput } from '../../lib/decimal.ts';
import { itemLabel, useItemsById } from '../../lib/items.ts';
import type { Channel, Order, PickList, Shipment } from './types.ts';

const none: MappedProblem = { byField: {}, general: [] };

function useChannels() {
  return useQuery({ queryKey: ['channels'], queryFn: () => api.get<{ data: Channel[] }>('/api/v1/channels'), staleTime: 60_000 });
}

export function OrdersPage() {
  const session = useSignedIn();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const [creating, setCreating] = useState(false);
  const channels = useChannels();
  const channelName = new Map((channels.data?.data ?? []).map((c) => [c.id, c.name]));
  const orders = useQuery({
    queryKey: ['orders', 'list', status],
    queryFn: async () =>
      status === 'to_ship'
        ? [...(await fetchAll<Order>('/api/v1/orders', { status: 'allocated' }, 1000)), ...(await fetchAll<Order>('/api/v1/orders', { status: 'partially_shipped' }, 1000))]
        : (await api.get<{ data: Order[] }>('/api/v1/orders', { status: status || undefined, limit: 200 })).data,
  });
  return (
    <section>
      <PageHeader
        title="Online orders"
        actions={
          session.can('orders.write') && (
            <button type="button" className="primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
              Take an order
            </button>
          )
        }
      />
      {creating && <NewOrder channels={(channels.data?.data ?? []).filter((c) => c.kind !== 'pos' && c.status === 'active')} />}
      <div className="filters">
        <label>
          <span>Show</span>
          <select value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}>
            <option value="">All</option>
            <option value="to_ship">Waiting to ship</option>
            {['back_ordered', 'allocated', 'partially_shipped', 'shipped', 'delivered', 'cancelled', 'expired'].map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={orders.error} />
      {(orders.data ?? []).length === 0 && !orders.isLoading ? (
        <Empty>No orders here.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Channel</th>
              <th scope="col">Customer</th>
              <th scope="col">Taken</th>
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {(orders.data ?? []).map((o) => (
              <tr key={o.id}>
                <td>
                  <Link to={`/selling/orders/${o.id}`}>{o.channel_order_id}</Link>
                </td>
                <td>{channelName.get(o.channel_id) ?? o.channel_id}</td>
                <td>{o.customer_name ?? o.customer_email ?? '—'}</td>
                <td>{formatDateTime(o.created_at)}</td>
                <td className="num">
                  <Money value={o.total} currency={o.currency} />
                </td>
                <td>
                  <StatusBadge status={o.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewOrder({ channels }: { channels: Channel[] }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form, setForm] = useState({ channel_id: channels[0]?.id ?? '', channel_order_id: `WEB-${Date.now().toString(36).toUpperCase()}`, name: '', email: '', ship_to: '' });
  const [lines, setLines] = useState<{ item: Item; qty: string }[]>([]);
  const [problem, setProblem] = useState(none);
  const [key] = useState(() => newIdempotencyKey('order'));
  const save = useMutation({
    mutationFn: (body: unknown) => api.post<Order>('/api/v1/orders', body, { idempotencyKey: key }),
    onSuccess: (order) => {
      void qc.invalidateQueries({ queryKey: ['orders'] });
      navigate(`/selling/orders/${order.id}`);
    },
    onError: (e) => setProblem(mapProblem(e, ['channel_id', 'channel_order_id', 'customer', 'ship_to', 'lines', ...lines.flatMap((_, i) => [`lines.${i}`, `lines.${i}.qty`])])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    const bodyLines = lines.map((l, i) => {
      const q = parseQuantityInput(l.qty);
      if (!q.ok) local[`lines.${i}.qty`] = q.message;
      return { item_id: l.item.id, qty: q.ok ? q.value : 0 };
    });
    if (lines.length === 0) local.lines = 'Add at least one item';
    if (Object.keys(local).length) return setProblem({ byField: local, general: [] });
    setProblem(none);
    save.mutate({
      channel_id: form.channel_id,
      channel_order_id: form.channel_order_id,
      ...(form.name || form.email ? { customer: { ...(form.name ? { name: form.name } : {}), ...(form.email ? { email: form.email } : {}) } } : {}),
      ...(form.ship_to ? { ship_to: form.ship_to } : {}),
      lines: bodyLines,
    });
  };
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Take an order">
      <p className="hint">For an order taken by phone or email; web shops send theirs through the API with a token.</p>
      <FormErrors messages={problem.general} />
      <div className="grid-3">
        <SelectField label="Channel" value={form.channel_id} onValue={set('channel_id')} error={problem.byField.channel_id} options={channels.map((c) => ({ value: c.id, label: c.name }))} />
        <TextField label="Order number" value={form.channel_order_id} onValue={set('channel_order_id')} error={problem.byField.channel_order_id} />
        <TextField label="Customer name" value={form.name} onValue={set('name')} />
        <TextField label="Customer email" value={form.email} onValue={set('email')} error={problem.byField.customer} />
        <TextField label="Ship to" value={form.ship_to} onValue={set('ship_to')} error={problem.byField.ship_to} />
      </div>
      <ItemSearch label="Add an item" onPick={(item) => setLines((ls) => [...ls, { item, qty: '1' }])} />
      {problem.byField.lines && <div className="field-error">{problem.byField.lines}</div>}
      {lines.map((l, i) => (
        <div className="row" key={`${l.item.id}-${i}`}>
          <span className="grow">{l.item.name}</span>
          <TextField label={`Quantity of ${l.item.name}`} inputMode="decimal" value={l.qty} onValue={(v) => setLines((ls) => ls.map((x, j) => (j === i ? { ...x, qty: v } : x)))} error={problem.byField[`lines.${i}.qty`] ?? problem.byField[`lines.${i}`]} />
        </div>
      ))}
      <button type="submit" className="primary" disabled={save.isPending}>
        {save.isPending ? 'Reserving stock…' : 'Take order'}
      </button>
    </form>
  );
}

export function OrderPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const qc = useQueryClient();
  const label = useLocationLabel();
  const order = useQuery({ queryKey: ['order', id], queryFn: () => api.get<Order>(`/api/v1/orders/${id}`) });
  const picks = useQuery({ queryKey: ['order-picks', id], queryFn: () => api.get<{ data: PickList[] }>(`/api/v1/orders/${id}/pick-lists`) });
  const shipments = useQuery({ queryKey: ['order-shipments', id], queryFn: () => api.get<{ data: Shipment[] }>(`/api/v1/orders/${id}/shipments`) });
  const items = useItemsById((order.data?.lines ?? []).map((l) => l.item_id));
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['order', id] });
    void qc.invalidateQueries({ queryKey: ['order-picks', id] });
    void qc.invalidateQueries({ queryKey: ['order-shipments', id] });
    void qc.invalidateQueries({ queryKey: ['orders'] });
  };
  const act = useMutation({
    mutationFn: (call: () => Promise<unknown>) => call(),
    onSuccess: refresh,
  });
  const [cancelReason, setCancelReason] = useState('');
  if (order.isLoading) return <Loading />;
  if (!order.data) return <ErrorBanner error={order.error} />;
  const o = order.data;
  const lineOf = new Map(o.lines.map((l) => [l.id, l]));
  const open = o.status === 'allocated' || o.status === 'partially_shipped' || o.status === 'back_ordered';
  // A pick list is due when reserved stock is neither on a pick list still being worked nor packed.
  const activePick = (picks.data?.data ?? []).some((p) => p.status === 'open' || (p.status === 'picked' && p.lines.some((l) => l.qty_packed < l.qty)));
  const unpicked = !activePick && o.lines.some((l) => l.reservations.length > 0 && l.qty_packed < l.qty - l.qty_shipped - l.qty_cancelled);
  return (
    <section>
      <PageHeader
        title={`Order ${o.channel_order_id}`}
        actions={
          <>
            {session.can('orders.write') && !o.confirmed_at && open && (
              <button type="button" onClick={() => act.mutate(() => api.post(`/api/v1/orders/${id}/confirm`))}>
                Mark paid
              </button>
            )}
            {session.can('fulfillment.write') && open && unpicked && (
              <button type="button" className="primary" onClick={() => act.mutate(() => api.post(`/api/v1/orders/${id}/pick-lists`))}>
                Make pick list
              </button>
            )}
            {session.can('returns.write') && (o.status === 'shipped' || o.status === 'delivered' || o.status === 'partially_shipped') && (
              <Link className="button" to={`/selling/returns?order_id=${o.id}`}>
                Return
              </Link>
            )}
          </>
        }
      >
        <p className="subtitle">
          <StatusBadge status={o.status} /> · {o.customer_name ?? ''} {o.customer_email ?? ''} · ship to {o.ship_to ?? '—'} · <Money value={o.total} currency={o.currency} />
          {o.confirmed_at ? ' · paid' : ' · not paid yet'}
        </p>
      </PageHeader>
      {act.isPending && <Progress label="Working…" />}
      <ErrorBanner error={act.error} />
      <div className="card">
        <h2>Lines</h2>
        <table data-testid="order-lines">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Ordered
              </th>
              <th scope="col">Reserved at</th>
              <th scope="col" className="num">
                Packed
              </th>
              <th scope="col" className="num">
                Shipped
              </th>
              <th scope="col" className="num">
                Returned
              </th>
            </tr>
          </thead>
          <tbody>
            {o.lines.map((l) => (
              <tr key={l.id}>
                <td>
                  {itemLabel(items.get(l.item_id), l.item_id)} {l.allocation === 'back_ordered' && <StatusBadge status="back_ordered" />}
                </td>
                <td className="num">
                  <Qty value={l.qty} />
                </td>
                <td>{l.reservations.map((r) => `${label(r.location_id)}: ${r.qty}`).join(', ') || '—'}</td>
                <td className="num">
                  <Qty value={l.qty_packed} />
                </td>
                <td className="num">
                  <Qty value={l.qty_shipped} />
                </td>
                <td className="num">
                  <Qty value={l.qty_returned} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(picks.data?.data ?? []).map((p) => (
        <PickListCard key={p.id} pick={p} itemName={(itemId) => itemLabel(items.get(itemId), itemId)} lineOf={lineOf} onChange={refresh} />
      ))}
      {(shipments.data?.data ?? []).map((s) => (
        <ShipmentCard key={s.id} shipment={s} onChange={refresh} />
      ))}
      {session.can('orders.write') && open && (
        <div className="card">
          <h2>Cancel what has not shipped</h2>
          <TextField label="Reason" value={cancelReason} onValue={setCancelReason} />
          <button type="button" onClick={() => act.mutate(() => api.post(`/api/v1/orders/${id}/cancel`, { reason: cancelReason || 'cancelled by the shop' }))}>
            Cancel order
          </button>
        </div>
      )}
    </section>
  );
}

function PickListCard({ pick, itemName, lineOf, onChange }: { pick: PickList; itemName(id: string): string; lineOf: Map<string, Order['lines'][number]>; onChange(): void }) {
  const session = useSignedIn();
  const label = useLocationLabel();
  // How much of each pick line goes into a second parcel; the rest goes into the first.
  const [second, setSecond] = useState<Record<string, string>>({});
  const [weights, setWeights] = useState<Record<string, string>>({ '1': '500', '2': '500' });
  const [problem, setProblem] = useState(none);
  const picked = useMutation({ mutationFn: () => api.post(`/api/v1/pick-lists/${pick.id}/picked`), onSuccess: onChange });
  const pack = useMutation({
    mutationFn: (body: unknown) => api.post<Shipment>(`/api/v1/pick-lists/${pick.id}/shipments`, body),
    onSuccess: onChange,
    onError: (e) => setProblem(mapProblem(e, ['packages'])),
  });
  const remaining = pick.lines.filter((l) => l.qty_packed < l.qty);
  const doPack = () => {
    const parcels: Map<string, number>[] = [new Map(), new Map()];
    const local: string[] = [];
    for (const l of remaining) {
      const left = l.qty - l.qty_packed;
      const typed = (second[l.id] ?? '').trim();
      const q = typed ? parseQuantityInput(typed, { allowZero: true }) : { ok: true as const, value: 0 };
      if (!q.ok || q.value > left) {
        local.push(`${itemName(l.item_id)}: the second parcel can take 0 to ${left}`);
        continue;
      }
      const add = (i: number, qty: number) => qty > 0 && parcels[i]!.set(l.order_line_id, (parcels[i]!.get(l.order_line_id) ?? 0) + qty);
      add(0, Math.round((left - q.value) * 1000) / 1000);
      add(1, q.value);
    }
    if (local.length) return setProblem({ byField: {}, general: local });
    const packages = parcels
      .map((lines, i) => ({ lines, weight: weights[String(i + 1)] ?? '500' }))
      .filter((p) => p.lines.size > 0)
      .map((p) => {
        const w = parseQuantityInput(p.weight);
        return { weight_g: w.ok ? w.value : 500, lines: [...p.lines.entries()].map(([order_line_id, qty]) => ({ order_line_id, qty })) };
      });
    setProblem(none);
    pack.mutate({ packages });
  };
  const usesSecond = remaining.some((l) => Number(second[l.id] ?? 0) > 0);
  return (
    <div className="card" data-testid="pick-list">
      <h2>
        Pick list at {label(pick.site_id)} <StatusBadge status={pick.status} />
      </h2>
      <p className="hint">Bins in walking order{pick.lines.some((l) => l.expires_on) ? '; soonest expiry first' : ''}.</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Bin</th>
            <th scope="col">Item</th>
            <th scope="col" className="num">
              Pick
            </th>
            <th scope="col" className="num">
              Packed
            </th>
            {pick.status === 'picked' && remaining.length > 0 && <th scope="col">Into parcel 2</th>}
          </tr>
        </thead>
        <tbody>
          {pick.lines.map((l) => (
            <tr key={l.id}>
              <td className="mono">{l.bin}</td>
              <td>
                {itemName(l.item_id)}
                {l.expires_on && <span className="muted"> exp. {l.expires_on}</span>}
                {lineOf.get(l.order_line_id) ? '' : ''}
              </td>
              <td className="num">
                <Qty value={l.qty} />
              </td>
              <td className="num">
                <Qty value={l.qty_packed} />
              </td>
              {pick.status === 'picked' && remaining.length > 0 && (
                <td>
                  {l.qty_packed < l.qty && (
                    <input
                      className="inline-input"
                      size={5}
                      inputMode="decimal"
                      aria-label={`How many ${itemName(l.item_id)} go into parcel 2`}
                      placeholder="0"
                      value={second[l.id] ?? ''}
                      onChange={(e) => setSecond((p) => ({ ...p, [l.id]: e.target.value }))}
                    />
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {session.can('fulfillment.write') && pick.status === 'open' && (
        <button type="button" className="primary" onClick={() => picked.mutate()} disabled={picked.isPending}>
          Mark picked
        </button>
      )}
      {session.can('fulfillment.write') && pick.status === 'picked' && remaining.length > 0 && (
        <div className="subform">
          <h3>Pack</h3>
          <FormErrors messages={problem.general} />
          <div className="row">
            {(usesSecond ? ['1', '2'] : ['1']).map((n) => (
              <TextField key={n} label={`Parcel ${n} weight (g)`} inputMode="decimal" value={weights[n] ?? '500'} onValue={(v) => setWeights((w) => ({ ...w, [n]: v }))} />
            ))}
          </div>
          <button type="button" className="primary" onClick={doPack} disabled={pack.isPending}>
            {usesSecond ? 'Pack in two parcels' : 'Pack'}
          </button>
        </div>
      )}
      <ErrorBanner error={picked.error} />
    </div>
  );
}

function ShipmentCard({ shipment, onChange }: { shipment: Shipment; onChange(): void }) {
  const session = useSignedIn();
  const [carrier, setCarrier] = useState('');
  const [service, setService] = useState('Standard');
  const [tracking, setTracking] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState(none);
  const fields = ['carrier', 'service', 'packages', ...shipment.packages.flatMap((_, i) => [`packages.${i}.tracking_number`])];
  const ship = useMutation({
    mutationFn: () =>
      api.post<Shipment>(`/api/v1/shipments/${shipment.id}/ship`, {
        carrier,
        service,
        packages: shipment.packages.map((p) => ({ package_id: p.id, tracking_number: tracking[p.id] ?? '' })),
      }),
    onSuccess: onChange,
    onError: (e) => setProblem(mapProblem(e, fields)),
  });
  const delivered = useMutation({ mutationFn: () => api.post(`/api/v1/shipments/${shipment.id}/delivered`), onSuccess: onChange });
  return (
    <div className="card" data-testid="shipment">
      <h2>
        Shipment <StatusBadge status={shipment.status} /> {shipment.carrier && `· ${shipment.carrier} ${shipment.service ?? ''}`}
      </h2>
      <ul className="plain">
        {shipment.packages.map((p) => (
          <li key={p.id}>
            Parcel {p.number}: {p.weight_g} g, {p.lines.reduce((s, l) => s + l.qty, 0)} units {p.tracking_number && <>· tracking <span className="mono">{p.tracking_number}</span></>}
          </li>
        ))}
      </ul>
      {session.can('fulfillment.write') && shipment.status === 'packed' && (
        <div className="subform">
          <FormErrors messages={problem.general} />
          <div className="grid-3">
            <TextField label="Carrier" value={carrier} onValue={setCarrier} error={problem.byField.carrier} />
            <TextField label="Service" value={service} onValue={setService} error={problem.byField.service} />
            {shipment.packages.map((p, i) => (
              <TextField key={p.id} label={`Tracking number, parcel ${p.number}`} value={tracking[p.id] ?? ''} onValue={(v) => setTracking((t) => ({ ...t, [p.id]: v }))} error={problem.byField[`packages.${i}.tracking_number`]} />
            ))}
          </div>
          <button type="button" className="primary" onClick={() => ship.mutate()} disabled={ship.isPending}>
            Ship
          </button>
        </div>
      )}
      {session.can('fulfillment.write') && shipment.status === 'shipped' && (
        <button type="button" onClick={() => delivered.mutate()}>
          Mark delivered
        </button>
      )}
      <ErrorBanner error={delivered.error} />
    </div>
  );
}
