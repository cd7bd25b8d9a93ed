import { useMutation, useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import { useSite } from '../../auth/session.tsx';
import { Empty, ErrorBanner, formatDate, PageHeader, Qty } from '../../components/ui.tsx';
import type { Count } from './types.ts';

interface NeedsCount {
  negative: Array<{ item_id: string; sku: string; name: string; location_code: string; on_hand: number }>;
  overdue: Array<{ item_id: string; sku: string; name: string; abc_class: string; last_counted_at: string | null }>;
  shortages: Array<{ item_id: string; sku: string; name: string; location_code: string; qty: number; sale_id: string; occurred_at: string }>;
}

/** Every balance below zero, every offline shortage not yet counted, and every item past its cycle at the site, each a click from a count. */
export function NeedsCountPage() {
  const { siteId } = useSite();
  const navigate = useNavigate();
  const query = useQuery({ queryKey: ['needs-count', siteId], enabled: !!siteId, queryFn: () => api.get<NeedsCount>('/api/v1/counts/needs-count', { site_id: siteId! }) });
  const start = useMutation({
    mutationFn: (scope: Record<string, unknown>) => api.post<Count>('/api/v1/counts', { site_id: siteId, kind: 'cycle', scope }),
    onSuccess: (c) => navigate(`/stock/counts/${c.id}`),
  });
  if (!siteId) return <p className="muted">Choose a site to see what needs a count.</p>;
  const data = query.data;
  return (
    <section>
      <PageHeader title="Needs a count" />
      <ErrorBanner error={query.error ?? start.error} />
      <h2>Below zero</h2>
      {data?.negative.length ? (
        <>
          <button type="button" className="button primary" onClick={() => start.mutate({ negative_only: true })}>
            Count everything below zero
          </button>
          <ul className="plain" data-testid="negative-balances">
            {data.negative.map((n) => (
              <li key={`${n.item_id}-${n.location_code}`}>
                {n.name} <span className="mono muted">{n.sku}</span> in {n.location_code}: <Qty value={n.on_hand} />{' '}
                <button type="button" className="button small" onClick={() => start.mutate({ item_ids: [n.item_id] })}>
                  Count
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <Empty>Nothing is below zero.</Empty>
      )}
      {data?.shortages.length ? (
        <>
          <h2>Sold offline beyond the records</h2>
          <ul className="plain" data-testid="offline-shortages">
            {data.shortages.map((s) => (
              <li key={`${s.sale_id}-${s.item_id}-${s.location_code}`}>
                {s.name} <span className="mono muted">{s.sku}</span> in {s.location_code}: <Qty value={s.qty} /> more than the records held, sold offline{' '}
                {formatDate(s.occurred_at)}{' '}
                <button type="button" className="button small" onClick={() => start.mutate({ item_ids: [s.item_id] })}>
                  Count
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>Past their cycle</h2>
      {data?.overdue.length ? (
        <>
          <button type="button" className="button" onClick={() => start.mutate({ cycle_plan: true })}>
            Count today’s cycle plan
          </button>
          <ul className="plain">
            {data.overdue.slice(0, 100).map((o) => (
              <li key={o.item_id}>
                <span className="badge">{o.abc_class}</span> {o.name} <span className="mono muted">{o.sku}</span> — last counted {o.last_counted_at ? formatDate(o.last_counted_at) : 'never'}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <Empty>Every item is within its cycle.</Empty>
      )}
    </section>
  );
}
