import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { VendorReturn } from '../api/types.ts';
import { useLocationLabel, useSignedIn } from '../auth/session.tsx';
import { DataTable, type Column } from '../components/PagedList.tsx';
import { ErrorBanner, Loading, Money, PageHeader, Qty, StatusBadge } from '../components/ui.tsx';
import { useItemLabel } from '../lib/items.ts';
import { VendorReturnList } from './vendor-returns/VendorReturnList.tsx';

export { NewVendorReturnPage } from './vendor-returns/NewVendorReturn.tsx';

export function VendorReturnsPage() {
  const session = useSignedIn();
  return (
    <section>
      <PageHeader
        title="Returns to vendor"
        actions={
          session.can('receiving.write') && (
            <Link className="button primary" to="/purchasing/vendor-returns/new">
              New return
            </Link>
          )
        }
      >
        <p className="subtitle">Goods sent back leave at the cost the ledger carries them at; the vendor owes the credit. From a receipt’s page, “Return to vendor” starts one against it.</p>
      </PageHeader>
      <VendorReturnList />
    </section>
  );
}

type Line = VendorReturn['lines'][number];

function ItemCell({ itemId }: { itemId: string }) {
  return <Link to={`/items/${itemId}`}>{useItemLabel(itemId)}</Link>;
}

/** One return: its lines, and Post or Cancel while it is a draft. */
export function VendorReturnPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const qc = useQueryClient();
  const label = useLocationLabel();
  const query = useQuery({ queryKey: ['vendor-return', id], queryFn: () => api.get<VendorReturn>(`/api/v1/vendor-returns/${id}`) });
  const action = useMutation({
    mutationFn: (what: 'post' | 'cancel') => api.post<VendorReturn>(`/api/v1/vendor-returns/${id}/${what}`),
    onSuccess: (next) => {
      qc.setQueryData(['vendor-return', id], next);
      void qc.invalidateQueries({ queryKey: ['vendor-returns'] });
      void qc.invalidateQueries({ queryKey: ['balances'] });
      void qc.invalidateQueries({ queryKey: ['movements'] });
    },
  });
  const r = query.data;
  if (query.isLoading) return <Loading />;
  if (!r) return <ErrorBanner error={query.error} />;
  const draft = r.status === 'draft' && session.can('receiving.write');
  const columns: Column<Line>[] = [
    { key: 'item', header: 'Item', cell: (l) => <ItemCell itemId={l.item_id} /> },
    { key: 'qty', header: 'Quantity', cell: (l) => <Qty value={l.qty} /> },
    { key: 'bin', header: 'From bin', cell: (l) => label(l.bin_id) },
    ...(session.seesCosts
      ? [
          { key: 'credit', header: `Credit (${r.currency})`, cell: (l: Line) => <Money value={l.credit ?? l.unit_credit} currency={r.currency} /> },
          { key: 'value', header: 'Ledger value', cell: (l: Line) => <Money value={l.value} /> },
        ]
      : []),
  ];
  return (
    <section>
      <PageHeader
        title={`Return ${r.number}`}
        actions={
          draft && (
            <>
              <button type="button" className="primary" disabled={action.isPending} onClick={() => action.mutate('post')}>
                Post: send back
              </button>{' '}
              <button type="button" disabled={action.isPending} onClick={() => confirm('Cancel this return? Nothing moves.') && action.mutate('cancel')}>
                Cancel return
              </button>
            </>
          )
        }
      >
        <p className="subtitle">
          To {r.vendor_name} · from {label(r.site_id)} · {r.reason.replace(/_/g, ' ')}
          {r.receipt_id && (
            <>
              {' '}
              · against <Link to={`/purchasing/receipts/${r.receipt_id}`}>{r.receipt_number}</Link>
            </>
          )}{' '}
          · <StatusBadge status={r.status} />
          {session.seesCosts && r.status === 'posted' && (
            <>
              {' '}
              · credit <Money value={r.credit} currency={r.currency} />
            </>
          )}
        </p>
      </PageHeader>
      <ErrorBanner error={action.error} />
      {r.notes && <p>{r.notes}</p>}
      <DataTable columns={columns} rows={r.lines} rowKey={(l) => l.id} testId="vendor-return-lines" />
    </section>
  );
}
