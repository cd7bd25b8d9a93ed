import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import type { PurchaseOrder, Receipt } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ErrorBanner } from '../../components/ui.tsx';

/** Send, receive, cancel or close an order, as far as its status and the person's rights allow. */
export function PurchaseOrderActions({ order: o }: { order: PurchaseOrder }) {
  const session = useSignedIn();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const id = o.id;
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
  const openDraft = o.receipts.find((r) => r.status === 'draft' || r.status === 'awaiting_approval');
  const receivable = o.status === 'sent' || o.status === 'partially_received';
  return (
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
      <ErrorBanner error={transition.error ?? receive.error} />
    </>
  );
}
