import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../../auth/session.tsx';
import { Empty, ErrorBanner, formatDateTime, Loading, Money, PageHeader, StatusBadge, TextField } from '../../components/ui.tsx';
import { Receipt } from './Counter.tsx';
import type { Sale } from './types.ts';

export function SalesPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const label = useLocationLabel();
  const [params, setParams] = useSearchParams();
  const from = params.get('from') ?? '';
  const query = useInfiniteQuery({
    queryKey: ['sales', siteId, from],
    queryFn: ({ pageParam }) =>
      api.get<Page<Sale>>('/api/v1/sales', { location_id: siteId ?? undefined, from: from ? new Date(`${from}T00:00:00`).toISOString() : undefined, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
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
      <div className="filters">
        <label>
          <span>Since</span>
          <input type="date" value={from} onChange={(e) => setParams(e.target.value ? { from: e.target.value } : {}, { replace: true })} />
        </label>
      </div>
      <ErrorBanner error={query.error} />
      {rows.length === 0 && !query.isLoading ? (
        <Empty>No sales.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Receipt</th>
              <th scope="col">When</th>
              <th scope="col">Where</th>
              <th scope="col">Items</th>
              <th scope="col" className="num">
                Total
              </th>
              {session.seesCosts && (
                <th scope="col" className="num">
                  Margin
                </th>
              )}
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link to={`/selling/sales/${s.id}`}>{s.number}</Link>
                </td>
                <td>{formatDateTime(s.created_at)}</td>
                <td>
                  {label(s.site_id)} · {s.register}
                </td>
                <td>{s.lines.map((l) => `${l.qty} × ${l.name}`).join(', ')}</td>
                <td className="num">
                  <Money value={s.totals.total} currency={s.currency} />
                </td>
                {session.seesCosts && (
                  <td className="num">
                    <Money value={s.margin} currency={s.currency} total />
                  </td>
                )}
                <td>
                  <StatusBadge status={s.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {query.hasNextPage && (
        <button type="button" onClick={() => void query.fetchNextPage()}>
          Show older
        </button>
      )}
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
          <StatusBadge status={s.status} /> {session.seesCosts && s.cost_of_goods && <>· cost of goods <Money value={s.cost_of_goods} total /> · margin <Money value={s.margin} total /></>}
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
