import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import { useLocationLabel, useSignedIn, useSite } from '../../auth/session.tsx';
import { FilterInput, PagedList, useUrlFilters, type Column } from '../../components/PagedList.tsx';
import { ErrorBanner, formatDateTime, Loading, Money, PageHeader, StatusBadge, TextField } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { SaleReceipt as Receipt } from './counter/SaleReceipt.tsx';
import type { Sale } from './types.ts';

export function SalesPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const label = useLocationLabel();
  const filters = useUrlFilters();
  const from = filters.get('from');
  const columns: Array<Column<Sale> | false> = [
    { key: 'receipt', header: 'Receipt', cell: (s) => <Link to={`/selling/sales/${s.id}`}>{s.number}</Link> },
    { key: 'when', header: 'When', cell: (s) => formatDateTime(s.created_at) },
    { key: 'where', header: 'Where', cell: (s) => `${label(s.site_id)} · ${s.register}` },
    { key: 'items', header: 'Items', cell: (s) => s.lines.map((l) => `${formatQty(l.qty)} × ${l.name}`).join(', ') },
    { key: 'total', header: 'Total', num: true, cell: (s) => <Money value={s.totals.total} currency={s.currency} /> },
    session.seesCosts && { key: 'margin', header: 'Margin', num: true, cell: (s) => <Money value={s.margin} currency={s.currency} /> },
    { key: 'status', header: 'Status', cell: (s) => <StatusBadge status={s.status} /> },
  ];
  return (
    <section>
      <PageHeader
        title="Sales"
        actions={
          session.can('sales.write') && (
            <Link className="button primary" to="/selling/counter">
              Open the counter
            </Link>
          )
        }
      />
      <PagedList<Sale>
        noun="sales"
        queryKey={['sales', 'list', siteId, from]}
        sources={{ path: '/api/v1/sales', query: { location_id: siteId ?? undefined, from: from ? new Date(`${from}T00:00:00`).toISOString() : undefined } }}
        columns={columns.filter((c): c is Column<Sale> => c !== false)}
        rowKey={(s) => s.id}
        filters={<FilterInput label="Since" name="from" type="date" />}
        empty="No sales."
      />
    </section>
  );
}

export function SalePage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const sale = useQuery({ queryKey: ['sale', id], queryFn: () => api.get<Sale>(`/api/v1/sales/${id}`) });
  const voidSale = useMutation({
    mutationFn: () => api.post(`/api/v1/sales/${id}/void`, { reason: reason || 'voided at the counter' }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['sale', id] });
      void qc.invalidateQueries({ queryKey: ['sales'] });
    },
  });
  if (sale.isLoading) return <Loading />;
  if (!sale.data) return <ErrorBanner error={sale.error} />;
  const s = sale.data;
  return (
    <section>
      <PageHeader
        title={`Sale ${s.number}`}
        actions={
          session.can('returns.write') &&
          s.status !== 'voided' &&
          s.status !== 'returned' && (
            <Link className="button" to={`/selling/returns?sale_id=${s.id}`}>
              Return or exchange
            </Link>
          )
        }
      >
        <p className="subtitle">
          <StatusBadge status={s.status} /> {session.seesCosts && s.cost_of_goods && <>· cost of goods <Money value={s.cost_of_goods} /> · margin <Money value={s.margin} /></>}
        </p>
      </PageHeader>
      <Receipt sale={s} />
      {session.can('sales.write') && s.status === 'completed' && (
        <div className="card">
          <h2>Void this sale</h2>
          <p className="hint">Puts everything back as it was, with new movements, and refunds the payment.</p>
          <TextField label="Why" value={reason} onValue={setReason} />
          <button type="button" onClick={() => voidSale.mutate()} disabled={voidSale.isPending}>
            Void sale
          </button>
          <ErrorBanner error={voidSale.error} />
        </div>
      )}
    </section>
  );
}
