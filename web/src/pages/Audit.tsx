import { useInfiniteQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import type { AuditEvent, Page } from '../api/types.ts';
import { Empty, ErrorBanner, formatDateTime, PageHeader } from '../components/ui.tsx';

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? '';
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const query = useInfiniteQuery({
    queryKey: ['audit', params.toString()],
    queryFn: ({ pageParam }) =>
      api.get<Page<AuditEvent>>('/api/v1/audit-events', {
        outcome: get('outcome') || undefined,
        method: get('method') || undefined,
        target_id: get('target_id') || undefined,
        actor_id: get('actor_id') || undefined,
        from: get('from') ? new Date(`${get('from')}T00:00:00`).toISOString() : undefined,
        limit: 100,
        cursor: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section>
      <PageHeader title="Audit log">
        <p className="subtitle">Every change, every refused attempt and every sign-in: who, what, when and from where.</p>
      </PageHeader>
      <div className="filters">
        <label>
          <span>Outcome</span>
          <select value={get('outcome')} onChange={(e) => set('outcome', e.target.value)}>
            <option value="">Any</option>
            <option value="success">Succeeded</option>
            <option value="failure">Failed or refused</option>
          </select>
        </label>
        <label>
          <span>Method</span>
          <select value={get('method')} onChange={(e) => set('method', e.target.value)}>
            <option value="">Any</option>
            {['POST', 'PUT', 'PATCH', 'DELETE'].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Record id</span>
          <input value={get('target_id')} onChange={(e) => set('target_id', e.target.value.trim())} placeholder="itm_…, po_…" />
        </label>
        <label>
          <span>Person or token id</span>
          <input value={get('actor_id')} onChange={(e) => set('actor_id', e.target.value.trim())} placeholder="usr_…, tok_…" />
        </label>
        <label>
          <span>Since</span>
          <input type="date" value={get('from')} onChange={(e) => set('from', e.target.value)} />
        </label>
      </div>
      <ErrorBanner error={query.error} />
      {rows.length === 0 && !query.isLoading ? (
        <Empty>No events match.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Outcome</th>
              <th scope="col">Records</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} className={e.outcome === 'failure' ? 'failure' : undefined}>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.actor ? `${e.actor.label} (${e.actor.kind})` : 'nobody signed in'}</td>
                <td>
                  <span className="mono">
                    {e.method} {e.route}
                  </span>
                  {e.note && <div className="muted">{e.note}</div>}
                </td>
                <td>
                  {e.status} {e.problem_code ?? ''}
                </td>
                <td>
                  {e.targets.map((t) => (
                    <button key={t.id} type="button" className="link mono" onClick={() => set('target_id', t.id)}>
                      {t.id}
                    </button>
                  ))}
                </td>
                <td>{e.ip ?? ''}</td>
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
