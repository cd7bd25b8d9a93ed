import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, fetchAll } from '../api/client.ts';
import type { Page, PurchaseOrder, PurchaseOrderSummary, Receipt, Vendor } from '../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../auth/session.tsx';
import { Empty, ErrorBanner, formatDate, formatDateTime, Loading, Money, PageHeader, Qty, StatusBadge } from '../components/ui.tsx';
import { itemLabel, localDate, useItemsById } from '../lib/items.ts';

const FILTERS = [
  { value: '', label: 'All' },
  { value: 'open', label: 'Open (sent or part-received)' },
  { value: 'late', label: 'Late' },
  { value: 'draft', label: 'Draft' },
  { value: 'sent', label: 'Sent' },
  { value: 'partially_received', label: 'Partially received' },
  { value: 'received', label: 'Received' },
  { value: 'closed', label: 'Closed' },
  { value: 'cancelled', label: 'Cancelled' },
];

export function PurchaseOrdersPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const label = useLocationLabel();
  const [params, setParams] = useSearchParams();
  const filter = params.get('status') ?? '';
  const today = localDate();
  const orders = useQuery({
    queryKey: ['purchase-orders', 'list', filter],
    queryFn: async () => {
      if (filter === 'open' || filter === 'late') {
        const rows = [
          ...(await fetchAll<PurchaseOrderSummary>('/api/v1/purchase-orders', { status: 'sent' }, 2000)),
          ...(await fetchAll<PurchaseOrderSummary>('/api/v1/purchase-orders', { status: 'partially_received' }, 2000)),
        ];
        return filter === 'late' ? rows.filter((po) => po.expected_on !== null && po.expected_on < today) : rows;
      }
      return (await api.get<Page<PurchaseOrderSummary>>('/api/v1/purchase-orders', { status: filter || undefined, limit: 200 })).data;
    },
  });
  const vendors = useQuery({ queryKey: ['vendors', 'all'], queryFn: () => api.get<Page<Vendor>>('/api/v1/vendors', { limit: 500, status: 'all' }) });
  const vendorName = new Map((vendors.data?.data ?? []).map((v) => [v.id, v.name]));
  const rows = (orders.data ?? []).filter((po) => !siteId || po.delivery_site_id === siteId);
  return (
    <section>
      <PageHeader
        title="Purchase orders"
        actions={
          session.can('purchasing.write') && (
            <Link className="button primary" to="/purchasing/orders/new">
              New purchase order
            </Link>
          )
        }
      />
      <div className="filters">
        <label>
          <span>Show</span>
          <select value={filter} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={orders.error} />
      {orders.isLoading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>No purchase orders here.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Vendor</th>
              <th scope="col">Deliver to</th>
              <th scope="col">Expected</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((po) => (
              <tr key={po.id}>
                <td>
                  <Link to={`/purchasing/orders/${po.id}`}>{po.number}</Link>
                </td>
                <td>{vendorName.get(po.vendor_id) ?? po.vendor_id}</td>
                <td>{label(po.delivery_site_id)}</td>
                <td className={po.expected_on && po.expected_on < today && (po.status === 'sent' || po.status === 'partially_received') ? 'late' : undefined}>{formatDate(po.expected_on)}</td>
                <td>
                  <StatusBadge status={po.status} />
                </td>
                <td>{formatDateTime(po.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function PurchaseOrderPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const label = useLocationLabel();
  const po = useQuery({ queryKey: ['purchase-order', id], queryFn: () => api.get<PurchaseOrder>(`/api/v1/purchase-orders/${id}`) });
  const items = useItemsById((po.data?.lines ?? []).map((l) => l.item_id));
  const transition = useMutation({
    mutationFn: (action: 'send' | 'cancel' | 'close') => api.post<PurchaseOrder>(`/api/v1/purchase-orders/${id}/${action}`),
    onSuccess: (updated) => {
      qc.setQueryData(['purchase-order', id], updated);
      void qc.invalidateQueries({ queryKey: ['purchase-orders'] });
    },
  });
  const receive = useMutation({
    mutationFn: () => api.post<Receipt>('/api/v1/receipts', { purchase_order_id: id }),
    onSuccess: (receipt) => navigate(`/purchasing/receipts/${receipt.id}`),
  });
  if (po.isLoading) return <Loading />;
  if (!po.data) return <ErrorBanner error={po.error} />;
  const o = po.data;
  const openDraft = o.receipts.find((r) => r.status === 'draft' || r.status === 'awaiting_approval');
  const receivable = o.status === 'sent' || o.status === 'partially_received';
  return (
    <section>
      <PageHeader
        title={`Purchase order ${o.number}`}
        actions={
          <>
            <a className="button" href={`/api/v1/purchase-orders/${o.id}/pdf`} download={`${o.number}.pdf`}>
              Download PDF
            </a>
            {session.can('purchasing.write') && o.status === 'draft' && (
              <button type="button" className="primary" onClick={() => transition.mutate('send')} disabled={transition.isPending}>
                Mark as sent
              </button>
            )}
            {session.can('receiving.write') && receivable && (
              <button type="button" className="primary" onClick={() => (openDraft ? navigate(`/purchasing/receipts/${openDraft.id}`) : receive.mutate())} disabled={receive.isPending}>
                {openDraft ? `Continue receiving (${openDraft.number})` : 'Receive delivery'}
              </button>
            )}
            {session.can('purchasing.write') && (o.status === 'draft' || o.status === 'sent') && (
              <button type="button" onClick={() => confirm(`Cancel ${o.number}?`) && transition.mutate('cancel')}>
                Cancel order
              </button>
            )}
            {session.can('purchasing.write') && o.status === 'partially_received' && (
              <button type="button" onClick={() => confirm(`Close ${o.number}? Whatever is still outstanding is recorded as short.`) && transition.mutate('close')}>
                Close order
              </button>
            )}
          </>
        }
      >
        <p className="subtitle">
          <Link to={`/purchasing/vendors/${o.vendor.id}`}>{o.vendor.name}</Link> · deliver to {label(o.delivery_site_id)} · expected {formatDate(o.expected_on)} · <StatusBadge status={o.status} />
          {o.revision > 1 && ` · revision ${o.revision}`}
        </p>
      </PageHeader>
      <ErrorBanner error={transition.error ?? receive.error} />
      <div className="card">
        <h2>Lines</h2>
        <table data-testid="po-lines">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Ordered
              </th>
              {session.seesCosts && (
                <th scope="col" className="num">
                  Price
                </th>
              )}
              {session.seesCosts && (
                <th scope="col" className="num">
                  Subtotal
                </th>
              )}
              <th scope="col" className="num">
                Received
              </th>
              <th scope="col" className="num">
                Damaged
              </th>
              <th scope="col" className="num">
                Outstanding
              </th>
            </tr>
          </thead>
          <tbody>
            {o.lines.map((l) => {
              const base = items.get(l.item_id)?.base_unit;
              return (
                <tr key={l.id}>
                  <td>{l.line_no}</td>
                  <td>
                    <Link to={`/items/${l.item_id}`}>{itemLabel(items.get(l.item_id), l.item_id)}</Link>
                    {l.vendor_sku && <span className="muted"> · {l.vendor_sku}</span>}
                    {l.warnings.map((w) => (
                      <div key={w.code} className="warning">
                        {w.message}
                      </div>
                    ))}
                  </td>
                  <td className="num">
                    <Qty value={l.qty} unit={l.unit} />
                    {l.unit_factor !== 1 && <div className="muted">= {l.qty_base} {base}</div>}
                  </td>
                  {session.seesCosts && (
                    <td className="num">
                      <Money value={l.unit_price} currency={o.currency} />
                    </td>
                  )}
                  {session.seesCosts && (
                    <td className="num">
                      <Money value={l.subtotal} currency={o.currency} total />
                    </td>
                  )}
                  <td className="num">
                    <Qty value={l.qty_received} unit={base} />
                  </td>
                  <td className="num">
                    <Qty value={l.qty_damaged} />
                  </td>
                  <td className="num" data-testid={`outstanding-${l.line_no}`}>
                    <Qty value={l.qty_outstanding} unit={base} />
                  </td>
                </tr>
              );
            })}
          </tbody>
          {session.seesCosts && o.total && (
            <tfoot>
              <tr>
                <td colSpan={4}>Subtotal / tax / shipping</td>
                <td className="num">
                  <Money value={o.subtotal} currency={o.currency} total /> / <Money value={o.tax} currency={o.currency} total /> / <Money value={o.shipping} currency={o.currency} total />
                </td>
                <td colSpan={2}>
                  <strong>Total</strong>
                </td>
                <td className="num">
                  <strong>
                    <Money value={o.total} currency={o.currency} total />
                  </strong>
                </td>
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>Receipts</h2>
          {o.receipts.length === 0 ? (
            <Empty>Nothing received yet.</Empty>
          ) : (
            <ul>
              {o.receipts.map((r) => (
                <li key={r.id}>
                  <Link to={`/purchasing/receipts/${r.id}`}>{r.number}</Link> <StatusBadge status={r.status} /> {r.posted_at && formatDateTime(r.posted_at)}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="card">
          <h2>Discrepancies</h2>
          {o.discrepancies.length === 0 ? (
            <Empty>None.</Empty>
          ) : (
            <ul>
              {o.discrepancies.map((d, i) => (
                <li key={i}>
                  <span className={`badge badge-${d.kind}`}>{d.kind.replace(/_/g, ' ')}</span> {d.detail}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {(o.notes || o.terms) && (
        <div className="card">
          {o.terms && <p>Terms: {o.terms}</p>}
          {o.notes && <p>Notes: {o.notes}</p>}
        </div>
      )}
    </section>
  );
}
