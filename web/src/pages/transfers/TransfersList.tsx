import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { useSignedIn, useSite } from '../../auth/session.tsx';
import { Empty, ErrorBanner, formatDateTime, PageHeader, SelectField, ShowMore, StatusBadge } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { STATUS_OPTIONS, type Transfer } from './types.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** Transfers from and to the site at the top (or every granted site), newest first. */
export function TransfersPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const [status, setStatus] = useState('');
  const [direction, setDirection] = useState('');
  const query = useInfiniteQuery({
    queryKey: ['transfers', siteId, status, direction],
    queryFn: ({ pageParam }) =>
      api.get<Page<Transfer>>('/api/v1/transfers', { site_id: siteId ?? undefined, status, direction: siteId ? direction : undefined, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section>
      <PageHeader
        title="Transfers"
        actions={
          session.can('transfers.write') && (
            <Link className="button primary" to="/stock/transfers/new">
              New transfer
            </Link>
          )
        }
      />
      <div className="filters">
        <SelectField label="Status" value={status} onValue={setStatus} options={STATUS_OPTIONS} />
        {siteId && (
          <SelectField
            label="Direction"
            value={direction}
            onValue={setDirection}
            options={[
              { value: '', label: 'In and out' },
              { value: 'outbound', label: 'Leaving this site' },
              { value: 'inbound', label: 'Arriving here' },
            ]}
          />
        )}
      </div>
      <ErrorBanner error={query.error} />
      {rows.length === 0 && !query.isLoading ? (
        <Empty>No transfers{status ? ' in this status' : ''}.</Empty>
      ) : (
        <ListTable exportName="transfers" data-testid="transfers-table">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Status</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Lines</th>
              <th scope="col" className="num">In transit</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.id}>
                <td className="mono">
                  <Link to={`/stock/transfers/${t.id}`}>{t.number}</Link>
                </td>
                <td>
                  <StatusBadge status={t.status} />
                  {t.discrepancies.length > 0 && <span className="badge badge-warn"> {t.discrepancies.length} flagged</span>}
                </td>
                <td>{t.source_site.name}</td>
                <td>{t.destination_site.name}</td>
                <td>{t.lines.length}</td>
                <td className="num">{formatQty(t.lines.reduce((s, l) => s + l.qty_in_transit, 0))}</td>
                <td>{formatDateTime(t.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
      <ShowMore query={query} />
    </section>
  );
}
