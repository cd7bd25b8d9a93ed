import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Page, PurchaseOrderSummary, Vendor } from '../../api/types.ts';
import { useLocationLabel, useSite } from '../../auth/session.tsx';
import { FilterSelect, PagedList, useUrlFilters, type Column, type PagedSource } from '../../components/PagedList.tsx';
import { formatDate, formatDateTime, StatusBadge } from '../../components/ui.tsx';
import { localDate } from '../../lib/items.ts';

const FILTERS = [
  { value: '', label: 'All' },
  { value: 'open', label: 'Open (sent or part-received)' },
  { value: 'late', label: 'Late' },
  { value: 'draft', label: 'Draft' },
  { value: 'sent', label: 'Sent' },
  { value: 'partially_received', label: 'Partially received' },
  { value: 'received', label: 'Received' },
  { value: 'closed', label: 'Closed' },
  { value: 'cancelled', label: 'Cancelled' },
];

const PATH = '/api/v1/purchase-orders';

/** "Open" and "late" are not statuses of their own: the sent orders, then the part-received ones. */
function sourcesFor(filter: string): PagedSource[] {
  if (filter === 'open' || filter === 'late') return [{ path: PATH, query: { status: 'sent' } }, { path: PATH, query: { status: 'partially_received' } }];
  return [{ path: PATH, query: { status: filter || undefined } }];
}

function isLate(po: PurchaseOrderSummary, today: string): boolean {
  return po.expected_on !== null && po.expected_on < today && (po.status === 'sent' || po.status === 'partially_received');
}

/** Every purchase order of the chosen site, newest first, paged to the last one. */
export function PurchaseOrderList() {
  const { siteId } = useSite();
  const label = useLocationLabel();
  const filters = useUrlFilters();
  const filter = filters.get('status');
  const today = localDate();
  const vendors = useQuery({ queryKey: ['vendors', 'all'], queryFn: () => api.get<Page<Vendor>>('/api/v1/vendors', { limit: 500, status: 'all' }) });
  const vendorName = new Map((vendors.data?.data ?? []).map((v) => [v.id, v.name]));
  const columns: Column<PurchaseOrderSummary>[] = [
    { key: 'number', header: 'Number', cell: (po) => <Link to={`/purchasing/orders/${po.id}`}>{po.number}</Link> },
    { key: 'vendor', header: 'Vendor', cell: (po) => vendorName.get(po.vendor_id) ?? po.vendor_id },
    { key: 'site', header: 'Deliver to', cell: (po) => label(po.delivery_site_id) },
    { key: 'expected', header: 'Expected', cell: (po) => formatDate(po.expected_on), className: (po) => (isLate(po, today) ? 'late' : undefined) },
    { key: 'status', header: 'Status', cell: (po) => <StatusBadge status={po.status} /> },
    { key: 'created', header: 'Created', cell: (po) => formatDateTime(po.created_at) },
  ];
  return (
    <PagedList<PurchaseOrderSummary>
      noun="purchase orders"
      queryKey={['purchase-orders', 'list', filter, siteId, filter === 'late' ? today : '']}
      sources={sourcesFor(filter)}
      keep={(po) => (!siteId || po.delivery_site_id === siteId) && (filter !== 'late' || isLate(po, today))}
      columns={columns}
      rowKey={(po) => po.id}
      filters={<FilterSelect label="Show" name="status" options={FILTERS} />}
      testId="purchase-order-list"
    />
  );
}
