import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { Receipt } from '../api/types.ts';
import { useLocationLabel, useSignedIn } from '../auth/session.tsx';
import { ErrorBanner, Loading, PageHeader, Progress, StatusBadge } from '../components/ui.tsx';
import { PrintLabels } from '../components/PrintLabels.tsx';
import { ReceiptActions, type ReceiptAction } from './receiving/ReceiptActions.tsx';
import { ReceiptDiscrepancies } from './receiving/ReceiptDiscrepancies.tsx';
import { ReceiptLandedCosts } from './receiving/ReceiptLandedCosts.tsx';
import { ReceiptLines } from './receiving/ReceiptLines.tsx';
import { ReceiptList } from './receiving/ReceiptList.tsx';
import { ReceiptOrderLines } from './receiving/ReceiptOrderLines.tsx';
import { ReceiptScanCard } from './receiving/ReceiptScanCard.tsx';

export function ReceiptsPage() {
  return (
    <section>
      <PageHeader title="Receiving">
        <p className="subtitle">Receive a delivery from its purchase order’s page (“Receive delivery”), then scan each case here.</p>
      </PageHeader>
      <ReceiptList />
    </section>
  );
}

/** The receiving screen: each scan adds to the draft and the discrepancies update as they happen. */
export function ReceiptPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const qc = useQueryClient();
  const label = useLocationLabel();
  const receipt = useQuery({ queryKey: ['receipt', id], queryFn: () => api.get<Receipt>(`/api/v1/receipts/${id}`) });
  const setReceipt = (next: Receipt) => {
    qc.setQueryData(['receipt', id], next);
    if (next.purchase_order) void qc.invalidateQueries({ queryKey: ['purchase-order', next.purchase_order.id] });
  };
  const action = useMutation({
    mutationFn: (what: ReceiptAction) => api.post<Receipt>(`/api/v1/receipts/${id}/${what}`),
    onSuccess: (next) => {
      setReceipt(next);
      void qc.invalidateQueries({ queryKey: ['purchase-orders'] });
      void qc.invalidateQueries({ queryKey: ['receipts'] });
      void qc.invalidateQueries({ queryKey: ['balances'] });
      void qc.invalidateQueries({ queryKey: ['movements'] });
    },
  });
  const removeLine = useMutation({
    mutationFn: (lineId: string) => api.delete<Receipt>(`/api/v1/receipts/${id}/lines/${lineId}`),
    onSuccess: setReceipt,
  });
  const r = receipt.data;
  if (receipt.isLoading) return <Loading />;
  if (!r) return <ErrorBanner error={receipt.error} />;
  const editable = r.status === 'draft' && session.can('receiving.write');
  return (
    <section className="receiving">
      <PageHeader title={`Receipt ${r.number}`} actions={
          <>
            <ReceiptActions receipt={r} busy={action.isPending} onAction={(what) => action.mutate(what)} /> <PrintLabels source={{ kind: 'receipt', receipt_id: r.id }} />
            {r.status === 'posted' && r.vendor && session.can('receiving.write') && (
              <>
                {' '}
                <Link className="button" to={`/purchasing/vendor-returns/new?receipt_id=${r.id}`}>
                  Return to vendor
                </Link>
              </>
            )}
          </>
        }>
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
      {editable && <ReceiptScanCard receiptId={id} onReceipt={setReceipt} />}
      <div className="grid-2">
        <ReceiptOrderLines receipt={r} />
        <ReceiptDiscrepancies receipt={r} />
      </div>
      <ReceiptLines receipt={r} onRemove={editable ? (lineId) => removeLine.mutate(lineId) : undefined} />
      <ReceiptLandedCosts receipt={r} onAdded={() => void qc.invalidateQueries({ queryKey: ['receipt', id] })} />
    </section>
  );
}
