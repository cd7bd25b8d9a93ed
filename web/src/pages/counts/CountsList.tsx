import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../../auth/session.tsx';
import { Empty, ErrorBanner, formatDateTime, PageHeader, SelectField, ShowMore, StatusBadge } from '../../components/ui.tsx';
import type { Count, CountSummary } from './types.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** Counts of the chosen site, newest first; `awaiting` narrows it to the approval queue. */
export function CountsTable({ awaiting }: { awaiting?: boolean }) {
  const { siteId } = useSite();
  const label = useLocationLabel();
  const query = useInfiniteQuery({
    queryKey: ['counts', siteId, awaiting ?? null],
    queryFn: ({ pageParam }) =>
      api.get<Page<CountSummary>>('/api/v1/counts', { site_id: siteId ?? undefined, awaiting_approval: awaiting ? 'true' : undefined, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  if (rows.length === 0 && !query.isLoading) return <Empty>{awaiting ? 'Nothing waits for approval.' : 'No counts yet.'}</Empty>;
  return (
    <>
      <ErrorBanner error={query.error} />
      <ListTable exportName="counts" data-testid={awaiting ? 'approval-queue' : 'counts-list'}>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Site</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Counted</th>
            <th scope="col">Waiting</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} className={c.summary.pending > 0 ? 'highlight' : undefined}>
              <td className="mono">
                <Link to={`/stock/counts/${c.id}`}>{c.number}</Link>
              </td>
              <td>{label(c.site_id)}</td>
              <td>
                {c.kind}, {c.mode}
              </td>
              <td>
                <StatusBadge status={c.status} />
              </td>
              <td>
                {c.summary.counted} of {c.summary.lines}
              </td>
              <td>{c.summary.pending + c.summary.held_scans || ''}</td>
              <td>{formatDateTime(c.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </ListTable>
      <ShowMore query={query} />
    </>
  );
}

export function CountsPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const navigate = useNavigate();
  const [kind, setKind] = useState('cycle');
  const start = useMutation({
    mutationFn: (scope: Record<string, unknown>) => api.post<Count>('/api/v1/counts', { site_id: siteId, kind: scope.kind ?? kind, scope: scope.scope ?? {} }),
    onSuccess: (c) => navigate(`/stock/counts/${c.id}`),
  });
  return (
    <section>
      <PageHeader
        title="Counts"
        actions={
          <>
            {session.can('counts.approve') && (
              <Link className="button" to="/stock/counts/approvals">
                Approval queue
              </Link>
            )}
            {session.can('counts.write') && (
              <Link className="button" to="/stock/counts/needs">
                Needs a count
              </Link>
            )}
          </>
        }
      />
      {session.can('counts.write') &&
        (siteId ? (
          <div className="toolbar">
            <SelectField label="Kind" value={kind} onValue={setKind} options={[{ value: 'cycle', label: 'Cycle count (today’s plan)' }, { value: 'full', label: 'Full stocktake' }]} />
            <button
              type="button"
              className="button primary"
              disabled={start.isPending}
              onClick={() => start.mutate(kind === 'full' ? { kind: 'full', scope: {} } : { kind: 'cycle', scope: { cycle_plan: true } })}
            >
              Start a count
            </button>
          </div>
        ) : (
          <p className="muted">Choose a site to start a count.</p>
        ))}
      <ErrorBanner error={start.error} />
      <CountsTable />
    </section>
  );
}

export function ApprovalQueuePage() {
  return (
    <section>
      <PageHeader title="Counts waiting for approval" />
      <p className="muted">Variances beyond the site’s thresholds wait here. Open a count to approve, reject (recount) or edit its lines.</p>
      <CountsTable awaiting />
    </section>
  );
}
