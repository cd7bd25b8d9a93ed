import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { ApiError, describeError } from '../api/problem.ts';
import type { Page, Receipt, ReceiptSummary } from '../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../auth/session.tsx';
import { ScanBox } from '../components/ScanBox.tsx';
import { Empty, ErrorBanner, formatDateTime, Loading, PageHeader, Progress, Qty, SelectField, StatusBadge, TextField } from '../components/ui.tsx';
import { parseQuantityInput } from '../lib/decimal.ts';
import { itemLabel, useItemsById } from '../lib/items.ts';

export function ReceiptsPage() {
  const { siteId } = useSite();
  const label = useLocationLabel();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const receipts = useQuery({
    queryKey: ['receipts', status],
    queryFn: () => api.get<Page<ReceiptSummary>>('/api/v1/receipts', { status: status || undefined, limit: 200 }),
  });
  const rows = (receipts.data?.data ?? []).filter((r) => !siteId || r.site_id === siteId);
  return (
    <section>
      <PageHeader title="Receiving">
        <p className="subtitle">Receive a delivery from its purchase order’s page (“Receive delivery”), then scan each case here.</p>
      </PageHeader>
      <div className="filters">
        <label>
          <span>Status</span>
          <select value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}>
            <option value="">All</option>
            <option value="draft">Draft</option>
            <option value="awaiting_approval">Awaiting approval</option>
            <option value="posted">Posted</option>
            <option value="cancelled">Cancelled</option>
          </select>
        </label>
      </div>
      <ErrorBanner error={receipts.error} />
      {rows.length === 0 && !receipts.isLoading ? (
        <Empty>No receipts.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Site</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Posted</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/purchasing/receipts/${r.id}`}>{r.number}</Link>
                </td>
                <td>{label(r.site_id)}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>{formatDateTime(r.created_at)}</td>
                <td>{formatDateTime(r.posted_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The receiving screen: each scan adds to the draft and the discrepancies update as they happen. */
export function ReceiptPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const qc = useQueryClient();
  const label = useLocationLabel();
  const [qty, setQty] = useState('');
  const [condition, setCondition] = useState<'good' | 'damaged'>('good');
  const [scanning, setScanning] = useState(0);
  const receipt = useQuery({ queryKey: ['receipt', id], queryFn: () => api.get<Receipt>(`/api/v1/receipts/${id}`) });
  const r = receipt.data;
  const items = useItemsById([...(r?.lines ?? []).map((l) => l.item_id), ...(r?.purchase_order_lines ?? []).map((l) => l.item_id)]);
  const setReceipt = (next: Receipt) => {
    qc.setQueryData(['receipt', id], next);
    if (next.purchase_order) void qc.invalidateQueries({ queryKey: ['purchase-order', next.purchase_order.id] });
  };
  const action = useMutation({
    mutationFn: (what: 'post' | 'approve' | 'reject' | 'cancel') => api.post<Receipt>(`/api/v1/receipts/${id}/${what}`),
    onSuccess: (next) => {
      setReceipt(next);
      void qc.invalidateQueries({ queryKey: ['purchase-orders'] });
      void qc.invalidateQueries({ queryKey: ['balances'] });
      void qc.invalidateQueries({ queryKey: ['movements'] });
    },
  });
  const removeLine = useMutation({
    mutationFn: (lineId: string) => api.delete<Receipt>(`/api/v1/receipts/${id}/lines/${lineId}`),
    onSuccess: setReceipt,
  });

  const scan = async (code: string) => {
    const q = qty.trim() ? parseQuantityInput(qty) : null;
    if (q && !q.ok) return { ok: false, message: `quantity: ${q.message}` };
    setScanning((n) => n + 1);
    try {
      const result = await api.post<{ receipt: Receipt; line_id: string; scan: { item_id: string; lot_code: string | null; count: number | null } }>(`/api/v1/receipts/${id}/scans`, {
        code,
        ...(q?.ok ? { qty: q.value } : {}),
        ...(condition === 'damaged' ? { condition } : {}),
      });
      setReceipt(result.receipt);
      const line = result.receipt.lines.find((l) => l.id === result.line_id);
      const item = await qc.ensureQueryData({ queryKey: ['item', result.scan.item_id], queryFn: () => api.get<import('../api/types.ts').Item>(`/api/v1/items/${result.scan.item_id}`) });
      return { ok: true, message: `${item.name}: now ${line ? `${line.qty} ${line.unit}` : 'added'}${result.scan.lot_code ? `, lot ${result.scan.lot_code}` : ''}${condition === 'damaged' ? ' (damaged)' : ''}` };
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'scan_not_recognized' || error.status === 404)) return { ok: false, message: error.detail };
      return { ok: false, message: describeError(error) };
    } finally {
      setScanning((n) => n - 1);
    }
  };

  if (receipt.isLoading) return <Loading />;
  if (!r) return <ErrorBanner error={receipt.error} />;
  const editable = r.status === 'draft';
  return (
    <section className="receiving">
      <PageHeader
        title={`Receipt ${r.number}`}
        actions={
          <>
            {editable && session.can('receiving.write') && (
              <button type="button" className="primary" onClick={() => action.mutate('post')} disabled={action.isPending || r.lines.length === 0}>
                {r.needs_approval ? 'Submit for approval' : 'Post receipt'}
              </button>
            )}
            {r.status === 'awaiting_approval' && session.can('purchasing.approve') && (
              <>
                <button type="button" className="primary" onClick={() => action.mutate('approve')}>
                  Approve
                </button>
                <button type="button" onClick={() => action.mutate('reject')}>
                  Send back
                </button>
              </>
            )}
            {(editable || r.status === 'awaiting_approval') && session.can('receiving.write') && (
              <button type="button" onClick={() => confirm('Cancel this receipt? Nothing it lists is received.') && action.mutate('cancel')}>
                Cancel receipt
              </button>
            )}
          </>
        }
      >
        <p className="subtitle">
          {r.purchase_order ? (
            <>
              Against <Link to={`/purchasing/orders/${r.purchase_order.id}`}>{r.purchase_order.number}</Link>
            </>
          ) : (
            'Quick receive'
          )}{' '}
          · {r.vendor?.name ?? ''} · into {label(r.site_id)} · <StatusBadge status={r.status} />
        </p>
      </PageHeader>
      {action.isPending && <Progress label="Posting the receipt…" />}
      <ErrorBanner error={action.error ?? removeLine.error} />
      {editable && session.can('receiving.write') && (
        <div className="card">
          <div className="grid-3">
            <TextField label="Quantity per scan" inputMode="decimal" value={qty} onValue={setQty} hint="Empty: one of the order’s unit (a case), or the label’s count" />
            <SelectField
              label="Condition"
              value={condition}
              onValue={(v) => setCondition(v as 'good' | 'damaged')}
              options={[
                { value: 'good', label: 'Good' },
                { value: 'damaged', label: 'Damaged (to quarantine)' },
              ]}
            />
          </div>
          <ScanBox onScan={scan} busy={scanning > 0} />
        </div>
      )}
      <div className="grid-2">
        <div className="card">
          <h2>Against the order</h2>
          {r.purchase_order_lines.length === 0 ? (
            <Empty>No order lines.</Empty>
          ) : (
            <table data-testid="receipt-po-lines">
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col" className="num">
                    Ordered
                  </th>
                  <th scope="col" className="num">
                    Before
                  </th>
                  <th scope="col" className="num">
                    This delivery
                  </th>
                  <th scope="col" className="num">
                    Outstanding after
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.purchase_order_lines.map((l) => (
                  <tr key={l.purchase_order_line_id} className={l.outstanding_after < 0 ? 'over' : l.outstanding_after === 0 ? 'complete' : undefined}>
                    <td>{itemLabel(items.get(l.item_id), l.item_id)}</td>
                    <td className="num">
                      <Qty value={l.ordered} />
                    </td>
                    <td className="num">
                      <Qty value={l.received_before} />
                    </td>
                    <td className="num">
                      <Qty value={l.good_on_this_receipt} />
                      {l.damaged_on_this_receipt > 0 && <span className="warning"> +{l.damaged_on_this_receipt} damaged</span>}
                    </td>
                    <td className="num">
                      <Qty value={l.outstanding_after} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="card" aria-live="polite">
          <h2>Discrepancies</h2>
          {r.needs_approval && <p className="warning">Something is over the vendor’s tolerance: posting waits for a manager’s approval.</p>}
          {r.discrepancies.length === 0 ? (
            <Empty>None so far.</Empty>
          ) : (
            <ul data-testid="discrepancies">
              {r.discrepancies.map((d, i) => (
                <li key={i}>
                  <span className={`badge badge-${d.kind}`}>{d.kind.replace(/_/g, ' ')}</span> {d.detail}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <div className="card">
        <h2>Lines on this receipt</h2>
        {r.lines.length === 0 ? (
          <Empty>Nothing scanned yet.</Empty>
        ) : (
          <table data-testid="receipt-lines">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Item</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col">Lot</th>
                <th scope="col">Condition</th>
                {editable && (
                  <th scope="col">
                    <span className="sr-only">Remove</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {r.lines.map((l) => (
                <tr key={l.id}>
                  <td>{l.line_no}</td>
                  <td>{itemLabel(items.get(l.item_id), l.item_id)}</td>
                  <td className="num">
                    <Qty value={l.qty} unit={l.unit} />
                  </td>
                  <td>
                    {l.lot_code ?? '—'}
                    {l.expires_on && <span className="muted"> exp. {l.expires_on}</span>}
                  </td>
                  <td>
                    {l.condition}
                    {l.condition === 'damaged' ? ` → ${l.disposition}` : ''}
                  </td>
                  {editable && (
                    <td>
                      <button type="button" className="link" onClick={() => removeLine.mutate(l.id)} aria-label={`Remove line ${l.line_no}`}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
