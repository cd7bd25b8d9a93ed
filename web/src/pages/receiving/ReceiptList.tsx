import { Link } from 'react-router';
import type { ReceiptSummary } from '../../api/types.ts';
import { useLocationLabel, useSite } from '../../auth/session.tsx';
import { FilterSelect, PagedList, useUrlFilters, type Column } from '../../components/PagedList.tsx';
import { formatDateTime, StatusBadge } from '../../components/ui.tsx';

const STATUSES = [
  { value: '', label: 'All' },
  { value: 'draft', label: 'Draft' },
  { value: 'awaiting_approval', label: 'Awaiting approval' },
  { value: 'posted', label: 'Posted' },
  { value: 'cancelled', label: 'Cancelled' },
];

/** Every receipt at the chosen site, newest first, paged to the last one. */
export function ReceiptList() {
  const { siteId } = useSite();
  const label = useLocationLabel();
  const filters = useUrlFilters();
  const status = filters.get('status');
  const columns: Column<ReceiptSummary>[] = [
    { key: 'number', header: 'Number', cell: (r) => <Link to={`/purchasing/receipts/${r.id}`}>{r.number}</Link> },
    { key: 'site', header: 'Site', cell: (r) => label(r.site_id) },
    { key: 'status', header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
    { key: 'created', header: 'Created', cell: (r) => formatDateTime(r.created_at) },
    { key: 'posted', header: 'Posted', cell: (r) => formatDateTime(r.posted_at) },
  ];
  return (
    <PagedList<ReceiptSummary>
      noun="receipts"
      queryKey={['receipts', 'list', status, siteId]}
      sources={{ path: '/api/v1/receipts', query: { status: status || undefined } }}
      keep={(r) => !siteId || r.site_id === siteId}
      columns={columns}
      rowKey={(r) => r.id}
      filters={<FilterSelect label="Status" name="status" options={STATUSES} />}
      testId="receipt-list"
    />
  );
}
