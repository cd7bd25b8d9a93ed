import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { DeliveryDetail } from '../../api/types.ts';
import { ErrorBanner, formatDateTime, Loading, PageHeader, StatusBadge } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

/** One delivery: what it carries, every attempt (status, latency, the start of the answer), and redelivery. */
export function DeliveryPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const query = useQuery({ queryKey: ['deliveries', id], queryFn: () => api.get<DeliveryDetail>(`/api/v1/deliveries/${id}`) });
  const again = useMutation({
    mutationFn: () => api.post<DeliveryDetail>(`/api/v1/deliveries/${id}/redeliver`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['deliveries'] }),
  });
  if (query.isLoading) return <Loading />;
  const d = query.data;
  if (!d) return <ErrorBanner error={query.error} />;
  const canRedeliver = d.status === 'delivered' || d.status === 'dead';
  return (
    <section>
      <PageHeader
        title={`${d.channel} to ${d.destination}`}
        actions={
          canRedeliver && (
            <button type="button" className="primary" onClick={() => again.mutate()} disabled={again.isPending}>
              Redeliver
            </button>
          )
        }
      >
        <p>
          <StatusBadge status={d.status} /> {d.event_type} · event <span className="mono">{d.event_id}</span>
          {d.paused && ' · destination paused'}
        </p>
      </PageHeader>
      <ErrorBanner error={again.error} />
      <dl className="facts">
        <dt>Queued</dt>
        <dd>{formatDateTime(d.created_at)}</dd>
        <dt>Delivered</dt>
        <dd>{d.delivered_at ? formatDateTime(d.delivered_at) : '—'}</dd>
        <dt>Next attempt</dt>
        <dd>{d.next_attempt_at ? formatDateTime(d.next_attempt_at) : '—'}</dd>
        <dt>Reference</dt>
        <dd className="mono">{d.provider_ref ?? '—'}</dd>
      </dl>
      <h2>Attempts</h2>
      <ListTable exportName="delivery-attempts" data-testid="attempts-table">
        <thead>
          <tr>
            <th scope="col" className="num">#</th>
            <th scope="col">Started</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">Code</th>
            <th scope="col" className="num">Latency</th>
            <th scope="col">Answer or error</th>
          </tr>
        </thead>
        <tbody>
          {d.log.map((a) => (
            <tr key={`${a.attempt}-${a.started_at}`}>
              <td className="num">{a.attempt}</td>
              <td>{formatDateTime(a.started_at)}</td>
              <td>
                <StatusBadge status={a.outcome} />
              </td>
              <td className="num">{a.status_code ?? ''}</td>
              <td className="num">{a.latency_ms} ms</td>
              <td className="mono">{a.error ?? a.response_excerpt ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </ListTable>
      <h2>Payload</h2>
      <pre className="mono">{JSON.stringify(d.payload, null, 2)}</pre>
    </section>
  );
}
