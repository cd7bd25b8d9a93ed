import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Delivery, DeliveryDestination } from '../../api/types.ts';
import { FilterSelect, PagedList, useUrlFilters, type Column } from '../../components/PagedList.tsx';
import { Empty, ErrorBanner, formatDateTime, PageHeader, StatusBadge } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

const statusOptions = [
  { value: '', label: 'Any status' },
  { value: 'pending', label: 'Waiting to go' },
  { value: 'sending', label: 'Sending' },
  { value: 'delivered', label: 'Delivered' },
  { value: 'dead', label: 'Failed (dead letter)' },
];
const channelOptions = [
  { value: '', label: 'Every channel' },
  { value: 'email', label: 'Email' },
  { value: 'sms', label: 'Text' },
  { value: 'webhook', label: 'Webhook' },
];

const columns: ReadonlyArray<Column<Delivery>> = [
  { key: 'created', header: 'Queued', cell: (d) => <Link to={`/admin/deliveries/${d.id}`}>{formatDateTime(d.created_at)}</Link> },
  { key: 'channel', header: 'Channel', cell: (d) => d.channel },
  { key: 'to', header: 'To', cell: (d) => <span className="mono">{d.destination}</span> },
  { key: 'what', header: 'What', cell: (d) => d.summary || d.event_type },
  { key: 'status', header: 'Status', cell: (d) => <StatusBadge status={d.status} /> },
  { key: 'attempts', header: 'Attempts', num: true, cell: (d) => d.attempts },
  { key: 'error', header: 'Last error', cell: (d) => d.last_error ?? '' },
];

/** The delivery log (emails, texts, webhooks) with its filters, and the destinations with pause and resume. */
export function DeliveriesPage() {
  const filters = useUrlFilters();
  return (
    <section>
      <PageHeader title="Deliveries">
        <p>Every email, text message and webhook call Stockroom sends, with each attempt. Failed ones are retried on a schedule, then kept here as dead letters to redeliver.</p>
      </PageHeader>
      <PagedList<Delivery>
        noun="deliveries"
        queryKey={['deliveries', filters.key]}
        sources={{ path: '/api/v1/deliveries', query: { status: filters.get('status') || undefined, channel: filters.get('channel') || undefined } }}
        columns={columns}
        rowKey={(d) => d.id}
        rowClass={(d) => (d.status === 'dead' ? 'failure' : undefined)}
        testId="deliveries-table"
        empty="Nothing sent yet, or nothing in this status."
        filters={
          <>
            <FilterSelect label="Status" name="status" options={statusOptions} />
            <FilterSelect label="Channel" name="channel" options={channelOptions} />
          </>
        }
      />
      <Destinations />
    </section>
  );
}

function Destinations() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['delivery-destinations'], queryFn: () => api.get<{ data: DeliveryDestination[] }>('/api/v1/delivery-destinations') });
  const act = useMutation({
    mutationFn: ({ destination, pause }: { destination: string; pause: boolean }) => api.post(`/api/v1/delivery-destinations/${pause ? 'pause' : 'resume'}`, { destination }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['delivery-destinations'] });
      void qc.invalidateQueries({ queryKey: ['deliveries'] });
    },
  });
  const destinations = list.data?.data ?? [];
  return (
    <>
      <h2>Destinations</h2>
      <ErrorBanner error={list.error ?? act.error} />
      {destinations.length === 0 ? (
        <Empty>No destinations yet.</Empty>
      ) : (
        <ListTable exportName="delivery-destinations" data-testid="destinations-table">
          <thead>
            <tr>
              <th scope="col">Destination</th>
              <th scope="col">Channel</th>
              <th scope="col" className="num">Waiting</th>
              <th scope="col" className="num">Delivered</th>
              <th scope="col" className="num">Failed</th>
              <th scope="col">Paused</th>
            </tr>
          </thead>
          <tbody>
            {destinations.map((d) => (
              <tr key={d.destination}>
                <td className="mono">{d.destination}</td>
                <td>{d.channel}</td>
                <td className="num">{d.pending}</td>
                <td className="num">{d.delivered}</td>
                <td className="num">{d.dead}</td>
                <td>
                  {d.paused ? `since ${formatDateTime(d.paused_at)}` : 'no'}{' '}
                  <button type="button" disabled={act.isPending} onClick={() => act.mutate({ destination: d.destination, pause: !d.paused })}>
                    {d.paused ? 'Resume' : 'Pause'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </>
  );
}
