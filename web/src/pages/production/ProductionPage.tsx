import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { useLocations, useSignedIn, useSite } from '../../auth/session.tsx';
import { Empty, ErrorBanner, PageHeader, SelectField, ShowMore, StatusBadge } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { STATUS_OPTIONS, type ProductionOrder, type ProductionPlan } from './types.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** The kitchen's page: tomorrow's plan with one button to create its orders, and the orders of the site. */
export function ProductionPage() {
  const { siteId } = useSite();
  const { sites } = useLocations();
  const [chosen, setChosen] = useState('');
  const site = siteId ?? (chosen || sites[0]?.id || '');
  return (
    <section>
      <PageHeader title="Production">
        {!siteId && sites.length > 0 && (
          <SelectField label="Site" value={site} onValue={setChosen} options={sites.map((s) => ({ value: s.id, label: s.name }))} />
        )}
      </PageHeader>
      {site && <PlanCard siteId={site} />}
      {site && <OrdersTable siteId={site} />}
    </section>
  );
}

function PlanCard({ siteId }: { siteId: string }) {
  const session = useSignedIn();
  const qc = useQueryClient();
  const plan = useQuery({ queryKey: ['production-plan', siteId], queryFn: () => api.get<ProductionPlan>('/api/v1/production/plan', { site_id: siteId }) });
  const create = useMutation({
    mutationFn: () => api.post<{ data: ProductionOrder[] }>('/api/v1/production/plan', { site_id: siteId, date: plan.data?.date }, { idempotencyKey: newIdempotencyKey('plan') }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['production-plan', siteId] });
      void qc.invalidateQueries({ queryKey: ['production-orders'] });
    },
  });
  const p = plan.data;
  return (
    <div className="card" data-testid="production-plan">
      <h2>Plan{p ? ` for ${p.date}` : ''}</h2>
      <ErrorBanner error={plan.error ?? create.error} />
      {p && p.lines.length === 0 && <Empty>Nothing at or below its minimum: no bakes to plan.</Empty>}
      {p && p.lines.length > 0 && (
        <>
          <ListTable exportName="production-plan">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" className="num">On hand</th>
                <th scope="col" className="num">Coming</th>
                <th scope="col" className="num">Min / max</th>
                <th scope="col" className="num">Make</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {p.lines.map((l) => (
                <tr key={l.item_id}>
                  <td>
                    <Link to={`/items/${l.item_id}`}>{l.name}</Link> <span className="muted mono">{l.sku}</span>
                  </td>
                  <td className="num">{formatQty(l.on_hand)}</td>
                  <td className="num">{formatQty(l.planned_open)}</td>
                  <td className="num">
                    {formatQty(l.min)} / {formatQty(l.max)}
                  </td>
                  <td className="num">
                    <strong>{formatQty(l.qty)}</strong>
                  </td>
                  <td className="muted">{l.reason}</td>
                </tr>
              ))}
            </tbody>
          </ListTable>
          {session.can('production.write') && (
            <button type="button" className="primary" onClick={() => create.mutate()} disabled={create.isPending}>
              Create {p.lines.length} order{p.lines.length === 1 ? '' : 's'}
            </button>
          )}
        </>
      )}
    </div>
  );
}

function OrdersTable({ siteId }: { siteId: string }) {
  const [status, setStatus] = useState('');
  const query = useInfiniteQuery({
    queryKey: ['production-orders', siteId, status],
    queryFn: ({ pageParam }) => api.get<Page<ProductionOrder>>('/api/v1/production-orders', { site_id: siteId, status, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <h2>Orders</h2>
      <div className="filters">
        <SelectField label="Status" value={status} onValue={setStatus} options={STATUS_OPTIONS} />
      </div>
      <ErrorBanner error={query.error} />
      {rows.length === 0 && !query.isLoading ? (
        <Empty>No production orders{status ? ' in this status' : ''}.</Empty>
      ) : (
        <ListTable exportName="production-orders" data-testid="production-orders">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Status</th>
              <th scope="col">Item</th>
              <th scope="col" className="num">Planned</th>
              <th scope="col" className="num">Made</th>
              <th scope="col" className="num">Scrapped</th>
              <th scope="col">For</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.id}>
                <td className="mono">
                  <Link to={`/production/orders/${o.id}`}>{o.number}</Link>
                </td>
                <td>
                  <StatusBadge status={o.status} />
                </td>
                <td>{o.item.name}</td>
                <td className="num">{formatQty(o.qty_planned)}</td>
                <td className="num">{formatQty(o.qty_produced)}</td>
                <td className="num">{formatQty(o.qty_scrapped)}</td>
                <td>{o.planned_for ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
      <ShowMore query={query} />
    </>
  );
}
