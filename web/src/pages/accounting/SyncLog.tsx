import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { Empty, ErrorBanner, StatusBadge } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

interface Posting {
  id: string;
  kind: string;
  doc_number: string;
  day: string | null;
  revision: number;
  total: string;
  status: string;
  quickbooks_id: string | null;
  attempts: number;
  last_error: string | null;
}

/** The QuickBooks sync log, newest first: what was sent, its QuickBooks id, and why it failed. */
export function SyncLog() {
  const postings = useQuery({ queryKey: ['qbo-postings'], queryFn: () => api.get<{ data: Posting[] }>('/api/v1/quickbooks/postings', { limit: 100 }) });
  const rows = postings.data?.data ?? [];
  return (
    <div className="card">
      <h2>Sync log</h2>
      <ErrorBanner error={postings.error} />
      {postings.data && rows.length === 0 && <Empty>Nothing sent to QuickBooks yet.</Empty>}
      {rows.length > 0 && (
        <ListTable exportName="quickbooks-postings" data-testid="qbo-postings">
          <thead>
            <tr>
              <th scope="col">Document</th>
              <th scope="col">Kind</th>
              <th scope="col">Day</th>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">QuickBooks id</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.id}>
                <td className="mono">{p.doc_number}</td>
                <td>{p.revision > 0 ? `${p.kind} (correction)` : p.kind.replace('_', ' ')}</td>
                <td>{p.day}</td>
                <td className="num">{p.total}</td>
                <td>
                  <StatusBadge status={p.status} />
                </td>
                <td className="mono">{p.quickbooks_id ?? '—'}</td>
                <td className="num">{p.attempts}</td>
                <td>{p.last_error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </div>
  );
}
