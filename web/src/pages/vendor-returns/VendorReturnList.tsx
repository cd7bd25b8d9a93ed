import { Link } from 'react-router';
import type { VendorReturnSummary } from '../../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../../auth/session.tsx';
import { FilterSelect, PagedList, useUrlFilters, type Column } from '../../components/PagedList.tsx';
import { formatDateTime, Money, StatusBadge } from '../../components/ui.tsx';

const STATUSES = [
  { value: '', label: 'All' },
  { value: 'draft', label: 'Draft' },
  { value: 'posted', label: 'Posted' },
  { value: 'cancelled', label: 'Cancelled' },
];

/** Every return to vendor at the chosen site, newest first; the credit only for those who see costs. */
export function VendorReturnList() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const label = useLocationLabel();
  const status = useUrlFilters().get('status');
  const columns: Column<VendorReturnSummary>[] = [
    { key: 'number', header: 'Number', cell: (r) => <Link to={`/purchasing/vendor-returns/${r.id}`}>{r.number}</Link> },
    { key: 'vendor', header: 'Vendor', cell: (r) => r.vendor_name },
    { key: 'site', header: 'From', cell: (r) => label(r.site_id) },
    { key: 'reason', header: 'Reason', cell: (r) => r.reason.replace(/_/g, ' ') },
    { key: 'status', header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
    ...(session.seesCosts ? [{ key: 'credit', header: 'Credit', cell: (r: VendorReturnSummary) => <Money value={r.credit} currency={r.currency} /> }] : []),
    { key: 'posted', header: 'Posted', cell: (r) => formatDateTime(r.posted_at) },
  ];
  return (
    <PagedList<VendorReturnSummary>
      noun="returns to vendor"
      queryKey={['vendor-returns', 'list', status, siteId]}
      sources={{ path: '/api/v1/vendor-returns', query: { status: status || undefined, site_id: siteId ?? undefined } }}
      columns={columns}
      rowKey={(r) => r.id}
      filters={<FilterSelect label="Status" name="status" options={STATUSES} />}
      empty="No returns to vendor yet."
      testId="vendor-return-list"
    />
  );
}
