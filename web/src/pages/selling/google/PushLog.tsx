import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import { Empty, ErrorBanner } from '../../../components/ui.tsx';
import { ListTable } from '../../../components/ListTable.tsx';

interface Entry {
  id: string;
  at: string;
  kind: string;
  ok: boolean;
  ref: string | null;
  detail: string;
}

/** What the Merchant API push did, newest first (the connectors' sync log). */
export function PushLog() {
  const log = useQuery({ queryKey: ['google-push-log'], queryFn: () => api.get<{ data: Entry[] }>('/api/v1/google/merchant/log', { limit: 50 }) });
  const rows = log.data?.data ?? [];
  return (
    <div className="card">
      <h2>Push log</h2>
      <ErrorBanner error={log.error} />
      {log.data && rows.length === 0 && <Empty>Nothing pushed yet.</Empty>}
      {rows.length > 0 && (
        <ListTable exportName="google-push-log" data-testid="google-push-log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Product</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} className={e.ok ? undefined : 'bad'}>
                <td>{e.at}</td>
                <td>{e.kind}</td>
                <td className="mono">{e.ref ?? ''}</td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </div>
  );
}
