import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../../api/client.ts';
import { FilterSelect, PagedList, useUrlFilters, type Column, type PagedSource } from '../../../components/PagedList.tsx';
import { formatDateTime, Money, StatusBadge } from '../../../components/ui.tsx';
import type { Channel, Order } from '../types.ts';

const PATH = '/api/v1/orders';
const STATUSES = [
  { value: '', label: 'All' },
  { value: 'to_ship', label: 'Waiting to ship' },
  ...['back_ordered', 'allocated', 'partially_shipped', 'shipped', 'delivered', 'cancelled', 'expired'].map((s) => ({ value: s, label: s.replace(/_/g, ' ') })),
];

export function useChannels() {
  return useQuery({ queryKey: ['channels'], queryFn: () => api.get<{ data: Channel[] }>('/api/v1/channels'), staleTime: 60_000 });
}

/** "Waiting to ship" is two statuses: the allocated orders, then the part-shipped ones. */
function sourcesFor(status: string): PagedSource[] {
  if (status === 'to_ship') return [{ path: PATH, query: { status: 'allocated' } }, { path: PATH, query: { status: 'partially_shipped' } }];
  return [{ path: PATH, query: { status: status || undefined } }];
}

/** Every online order, newest first, paged to the last one. */
export function OrderList() {
  const filters = useUrlFilters();
  const status = filters.get('status');
  const channels = useChannels();
  const channelName = new Map((channels.data?.data ?? []).map((c) => [c.id, c.name]));
  const columns: Column<Order>[] = [
    { key: 'order', header: 'Order', cell: (o) => <Link to={`/selling/orders/${o.id}`}>{o.channel_order_id}</Link> },
    { key: 'channel', header: 'Channel', cell: (o) => channelName.get(o.channel_id) ?? o.channel_id },
    { key: 'customer', header: 'Customer', cell: (o) => o.customer_name ?? o.customer_email ?? '—' },
    { key: 'taken', header: 'Taken', cell: (o) => formatDateTime(o.created_at) },
    { key: 'total', header: 'Total', num: true, cell: (o) => <Money value={o.total} currency={o.currency} /> },
    { key: 'status', header: 'Status', cell: (o) => <StatusBadge status={o.status} /> },
  ];
  return (
    <PagedList<Order>
      noun="orders"
      queryKey={['orders', 'list', status]}
      sources={sourcesFor(status)}
      columns={columns}
      rowKey={(o) => o.id}
      filters={<FilterSelect label="Show" name="status" options={STATUSES} />}
      testId="order-list"
    />
  );
}
