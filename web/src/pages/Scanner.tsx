import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, NavLink, Route, Routes, useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey } from '../api/client.ts';
import { describeError } from '../api/problem.ts';
import type { Balance, Page, PurchaseOrderSummary, Receipt } from '../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../auth/session.tsx';
import { SiteSwitcher } from '../components/Layout.tsx';
import { ScanBox, type ScanOutcome } from '../components/ScanBox.tsx';
import { Empty, ErrorBanner, formatDate, FormErrors, Qty, SelectField, StatusBadge, TextField } from '../components/ui.tsx';
import { formatQty, parseQuantityInput } from '../lib/decimal.ts';
import { REASONS } from './Adjustments.tsx';
import { ScannerTransfers } from './transfers/ScannerTransfers.tsx';
import { CountScanner } from './counts/CountScanner.tsx';
import { cachedFetchAll, findInCatalogue, readTill } from '../offline/cache.ts';
import { OfflineBanner } from '../offline/OfflineBanner.tsx';
import { useOffline } from '../offline/OfflineProvider.tsx';
import { isUnreachable } from '../offline/send.ts';
import { ReceiveOffline } from './receiving/ReceiveOffline.tsx';

interface Resolution {
  kind: 'gs1' | 'barcode' | 'sku' | 'unknown';
  item: { id: string; sku: string; name: string; base_unit: string; tracking: string } | null;
  lot_code: string | null;
  expires_on: string | null;
  count: number | null;
}

/** What a scanned string is (barcode, SKU or GS1 label); `item` is null for an unknown code. Offline, a barcode or SKU in the kept catalogue. */
async function resolve(code: string): Promise<Resolution> {
  try {
    return await api.post<Resolution>('/api/v1/scan/resolve', { code });
  } catch (error) {
    const till = isUnreachable(error) ? await readTill() : undefined;
    if (!till) throw error;
    const item = findInCatalogue(till.items, code);
    return { kind: item ? 'barcode' : 'unknown', item: item && { id: item.id, sku: item.sku, name: item.name, base_unit: item.base_unit, tracking: item.tracking }, lot_code: null, expires_on: null, count: null };
  }
}

/** Scanner mode: a phone-sized app for the shop floor, reading barcodes from the camera or a wedge scanner. */
export default function ScannerPage() {
  const session = useSignedIn();
  return (
    <div className="scanner-app">
      <header className="scanner-top">
        <Link to="/" className="button ghost" aria-label="Leave scanner mode">
          ←
        </Link>
        <strong>Scanner</strong>
        <SiteSwitcher />
      </header>
      <nav className="scanner-tabs" aria-label="Scanner tasks">
        <NavLink to="/scanner" end>
          Look up
        </NavLink>
        {session.can('receiving.write') && <NavLink to="/scanner/receive">Receive</NavLink>}
        {session.can('adjustments.write') && <NavLink to="/scanner/adjust">Adjust</NavLink>}
        {session.can('transfers.write') && <NavLink to="/scanner/transfers">Transfers</NavLink>}
        {session.can('counts.write') && <NavLink to="/scanner/count">Count</NavLink>}
      </nav>
      <main id="main" className="scanner-main">
        <OfflineBanner />
        <Routes>
          <Route index element={<LookUp />} />
          <Route path="receive" element={<ReceiveStart />} />
          <Route path="receive/offline/:poId" element={<ReceiveOffline />} />
          <Route path="receive/:id" element={<ReceiveScan />} />
          <Route path="adjust" element={<Adjust />} />
          <Route path="transfers/*" element={<ScannerTransfers />} />
          <Route path="count/*" element={<CountScanner />} />
        </Routes>
      </main>
    </div>
  );
}

function LookUp() {
  const { siteId } = useSite();
  const label = useLocationLabel();
  const [found, setFound] = useState<{ item: NonNullable<Resolution['item']>; balances: Balance[] } | null>(null);
  const onScan = async (code: string): Promise<ScanOutcome> => {
    const r = await resolve(code);
    if (!r.item) {
      setFound(null);
      return { ok: false, message: 'no item has this code' };
    }
    const balances = await api.get<Page<Balance>>('/api/v1/balances', { item_id: r.item.id, location_id: siteId ?? undefined, limit: 200 });
    setFound({ item: r.item, balances: balances.data.filter((b) => b.on_hand !== 0) });
    return { ok: true, message: r.item.name };
  };
  const total = found ? found.balances.reduce((s, b) => s + b.on_hand, 0) : 0;
  return (
    <>
      <ScanBox onScan={onScan} compact label="Scan an item to see its stock" submitLabel="Look up" />
      {found && (
        <div className="card" data-testid="lookup-result">
          <h2>{found.item.name}</h2>
          <p className="muted mono">{found.item.sku}</p>
          <p className="big-figure">
            <Qty value={Math.round(total * 1000) / 1000} unit={found.item.base_unit} /> on hand {siteId ? 'here' : 'in all'}
          </p>
          {found.balances.length === 0 ? (
            <Empty>None in stock.</Empty>
          ) : (
            <ul className="plain">
              {found.balances.map((b) => (
                <li key={`${b.location_id}-${b.lot_id}`}>
                  {label(b.location_id)}: <Qty value={b.on_hand} />
                </li>
              ))}
            </ul>
          )}
          <Link to={`/items/${found.item.id}`}>Open the item</Link>
        </div>
      )}
    </>
  );
}

function ReceiveStart() {
  const { siteId } = useSite();
  const navigate = useNavigate();
  const offline = useOffline();
  const orders = useQuery({
    queryKey: ['purchase-orders', 'open'],
    queryFn: async () => [
      ...(await cachedFetchAll<PurchaseOrderSummary>('/api/v1/purchase-orders', { status: 'sent' }, 500)),
      ...(await cachedFetchAll<PurchaseOrderSummary>('/api/v1/purchase-orders', { status: 'partially_received' }, 500)),
    ],
  });
  const drafts = useQuery({ queryKey: ['receipts', 'draft'], queryFn: () => api.get<Page<{ id: string; number: string; purchase_order_id: string | null; site_id: string }>>('/api/v1/receipts', { status: 'draft', limit: 100 }) });
  // Offline, the delivery is scanned on this phone and sent as one posted receipt when the server is back.
  const start = useMutation({
    mutationFn: async (poId: string) => {
      if (!offline.online) return { offline: poId };
      try {
        return await api.post<Receipt>('/api/v1/receipts', { purchase_order_id: poId });
      } catch (error) {
        if (!isUnreachable(error)) throw error;
        offline.markOffline();
        return { offline: poId };
      }
    },
    onSuccess: (r) => navigate('offline' in r ? `/scanner/receive/offline/${r.offline}` : `/scanner/receive/${r.id}`),
  });
  const open = (orders.data ?? []).filter((o) => !siteId || o.delivery_site_id === siteId);
  return (
    <>
      <h2>Receive a delivery</h2>
      <ErrorBanner error={start.error ?? orders.error} />
      {offline.online && (drafts.data?.data ?? []).length > 0 && (
        <>
          <h3>Continue</h3>
          <ul className="big-list">
            {drafts.data!.data.map((d) => (
              <li key={d.id}>
                <Link to={`/scanner/receive/${d.id}`}>{d.number}</Link>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Orders waiting for delivery</h3>
      {open.length === 0 ? (
        <Empty>No open purchase orders here.</Empty>
      ) : (
        <ul className="big-list">
          {open.map((o) => (
            <li key={o.id}>
              <button type="button" onClick={() => start.mutate(o.id)} disabled={start.isPending}>
                {o.number} <StatusBadge status={o.status} /> {o.expected_on ? `due ${formatDate(o.expected_on)}` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ReceiveScan() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const receipt = useQuery({ queryKey: ['receipt', id], queryFn: () => api.get<Receipt>(`/api/v1/receipts/${id}`) });
  const post = useMutation({
    mutationFn: () => api.post<Receipt>(`/api/v1/receipts/${id}/post`),
    onSuccess: (r) => {
      qc.setQueryData(['receipt', id], r);
      void qc.invalidateQueries({ queryKey: ['purchase-orders'] });
    },
  });
  const onScan = async (code: string): Promise<ScanOutcome> => {
    try {
      const result = await api.post<{ receipt: Receipt; line_id: string; scan: { item_id: string } }>(`/api/v1/receipts/${id}/scans`, { code });
      qc.setQueryData(['receipt', id], result.receipt);
      const line = result.receipt.lines.find((l) => l.id === result.line_id);
      return { ok: true, message: line ? `${formatQty(line.qty)} ${line.unit} on this line` : 'added' };
    } catch (error) {
      return { ok: false, message: describeError(error) };
    }
  };
  const r = receipt.data;
  if (!r) return <ErrorBanner error={receipt.error} />;
  return (
    <>
      <h2>
        {r.number} <StatusBadge status={r.status} />
      </h2>
      {r.status === 'draft' && <ScanBox onScan={onScan} compact label="Scan each case" submitLabel="Receive" />}
      <div className="card" aria-live="polite">
        <h3>Outstanding</h3>
        <ul className="plain">
          {r.purchase_order_lines.map((l) => (
            <li key={l.purchase_order_line_id}>
              Line {l.line_no}: {formatQty(l.good_on_this_receipt)} now, {formatQty(l.outstanding_after)} still to come
            </li>
          ))}
        </ul>
        {r.discrepancies.length > 0 && (
          <ul className="plain">
            {r.discrepancies.map((d, i) => (
              <li key={i}>
                <span className={`badge badge-${d.kind}`}>{d.kind}</span> {d.detail}
              </li>
            ))}
          </ul>
        )}
      </div>
      <ErrorBanner error={post.error} />
      {r.status === 'draft' && (
        <button type="button" className="primary block" onClick={() => post.mutate()} disabled={post.isPending || r.lines.length === 0}>
          {post.isPending ? 'Posting…' : 'Post receipt'}
        </button>
      )}
    </>
  );
}

function Adjust() {
  const { siteId } = useSite();
  const qc = useQueryClient();
  const [item, setItem] = useState<NonNullable<Resolution['item']> | null>(null);
  const [qty, setQty] = useState('1');
  const [reason, setReason] = useState('damaged');
  const [errors, setErrors] = useState<{ byField: Record<string, string>; general: string[] }>({ byField: {}, general: [] });
  const [done, setDone] = useState<string | null>(null);
  const [key, setKey] = useState(() => newIdempotencyKey('adj'));
  const offline = useOffline();
  const save = useMutation({
    mutationFn: async (body: Record<string, unknown>): Promise<{ number: string } | null> => {
      const keep = async () => {
        const occurredAt = new Date().toISOString();
        const summary = `${reason.replace(/_/g, ' ')} ${qty} × ${item?.name}`;
        await offline.enqueue({ kind: 'adjustment', method: 'POST', path: '/api/v1/adjustments', body: { ...body, occurred_at: occurredAt }, idempotencyKey: key, occurredAt, summary: `Adjustment: ${summary}` });
        return null;
      };
      if (!offline.online) return keep();
      try {
        return await api.post<{ number: string }>('/api/v1/adjustments', body, { idempotencyKey: key });
      } catch (error) {
        if (!isUnreachable(error)) throw error;
        offline.markOffline();
        return keep();
      }
    },
    onSuccess: (adj) => {
      setDone(`${adj ? `Posted ${adj.number}` : 'Kept on this phone until the server is back'}: ${reason.replace(/_/g, ' ')} ${qty} × ${item?.name}`);
      setItem(null);
      setQty('1');
      setKey(newIdempotencyKey('adj'));
      void qc.invalidateQueries({ queryKey: ['balances'] });
    },
    onError: (e) => setErrors({ byField: {}, general: [describeError(e)] }),
  });
  const onScan = async (code: string): Promise<ScanOutcome> => {
    const r = await resolve(code);
    if (!r.item) return { ok: false, message: 'no item has this code' };
    setItem(r.item);
    setDone(null);
    return { ok: true, message: r.item.name };
  };
  const submit = () => {
    const q = parseQuantityInput(qty, { allowNegative: reason === 'correction' });
    if (!q.ok) return setErrors({ byField: { qty: q.message }, general: [] });
    if (!siteId) return setErrors({ byField: {}, general: ['Choose a site at the top first.'] });
    const out = reason === 'damaged' || reason === 'expired' || reason === 'theft';
    setErrors({ byField: {}, general: [] });
    save.mutate({ location_id: siteId, reason, lines: [{ item_id: item!.id, qty: out ? -Math.abs(q.value) : q.value }] });
  };
  return (
    <>
      <ScanBox onScan={onScan} compact label="Scan the item to adjust" submitLabel="Find" />
      {done && (
        <p className="banner banner-ok" role="status">
          {done}
        </p>
      )}
      {item && (
        <div className="card">
          <h2>{item.name}</h2>
          <FormErrors messages={errors.general} />
          <SelectField label="Reason" value={reason} onValue={setReason} options={REASONS} />
          <TextField label={`Quantity (${item.base_unit})`} inputMode="decimal" value={qty} onValue={setQty} error={errors.byField.qty} />
          <button type="button" className="primary block" onClick={submit} disabled={save.isPending}>
            {save.isPending ? 'Posting…' : 'Post adjustment'}
          </button>
        </div>
      )}
    </>
  );
}
