import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import { useLocationLabel, useSignedIn } from '../../auth/session.tsx';
import { ErrorBanner, formatDateTime, Loading, PageHeader, StatusBadge } from '../../components/ui.tsx';
import { CountLinesTable } from './CountLinesTable.tsx';
import type { Count } from './types.ts';

export function CountPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const label = useLocationLabel();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['count', id], queryFn: () => api.get<Count>(`/api/v1/counts/${id}`) });
  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body?: unknown }) => api.post<Count>(`/api/v1/counts/${id}/${path}`, body ?? {}),
    onSuccess: (c) => client.setQueryData(['count', id], c),
  });
  const count = query.data;
  if (!count) return query.error ? <ErrorBanner error={query.error} /> : <Loading />;
  const held = count.unknown_scans.filter((s) => s.status === 'held');
  return (
    <section>
      <PageHeader
        title={`Count ${count.number}`}
        actions={
          <>
            <a className="button" href={`/api/v1/counts/${count.id}/pdf`}>
              Print count sheet
            </a>
            {session.can('counts.write') && count.status === 'counting' && (
              <Link className="button" to={`/scanner/count/${count.id}`}>
                Count by scanning
              </Link>
            )}
            {session.can('counts.write') && count.status === 'counting' && (
              <button type="button" className="button primary" disabled={act.isPending} onClick={() => act.mutate({ path: 'submit', body: { uncounted: 'skip' } })}>
                Submit
              </button>
            )}
            {session.can('counts.approve') && count.status === 'submitted' && count.summary.pending > 0 && (
              <button type="button" className="button primary" disabled={act.isPending} onClick={() => act.mutate({ path: 'approve' })}>
                Approve all and post
              </button>
            )}
          </>
        }
      >
        <p>
          <StatusBadge status={count.status} /> {count.kind} count, {count.mode}, at {label(count.site_id)} · started {formatDateTime(count.created_at)}
          {count.posted_at && ` · posted ${formatDateTime(count.posted_at)}`} · {count.summary.counted} of {count.summary.lines} lines counted
          {count.summary.pending > 0 && `, ${count.summary.pending} waiting for approval`}
        </p>
        {count.mode === 'blind' && !count.expected_visible && <p className="muted">A blind count: what the records expect is not shown while counting.</p>}
      </PageHeader>
      <ErrorBanner error={act.error} />
      {held.length > 0 && (
        <div className="card" data-testid="held-scans">
          <h2>Unknown scans, held for a manager</h2>
          <ul className="plain">
            {held.map((s) => (
              <li key={s.id}>
                <span className="mono">{s.code}</span> × {s.qty} in {label(s.location_id)}{' '}
                {session.can('counts.approve') && (
                  <button type="button" className="button small" onClick={() => act.mutate({ path: `unknown-scans/${s.id}/resolve`, body: { dismiss: true } })}>
                    Dismiss
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      <CountLinesTable count={count} />
    </section>
  );
}
