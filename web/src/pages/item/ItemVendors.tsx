import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Item, Page, Vendor, VendorItem } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { Empty, Money, StatusBadge } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { ListTable } from '../../components/ListTable.tsx';

export function ItemVendors({ item }: { item: Item }) {
  const session = useSignedIn();
  const terms = useQuery({ queryKey: ['item-vendors', item.id], queryFn: () => api.get<{ data: VendorItem[] }>(`/api/v1/items/${item.id}/vendors`) });
  const vendors = useQuery({ queryKey: ['vendors', 'all'], queryFn: () => api.get<Page<Vendor>>('/api/v1/vendors', { limit: 500, status: 'all' }) });
  const name = new Map((vendors.data?.data ?? []).map((v) => [v.id, v]));
  const rows = terms.data?.data ?? [];
  return (
    <div className="card">
      <h2>Vendors</h2>
      {rows.length === 0 ? (
        <Empty>No vendor sells this item yet. Add terms on a vendor’s page.</Empty>
      ) : (
        <ListTable exportName="item-vendors">
          <thead>
            <tr>
              <th scope="col">Vendor</th>
              <th scope="col">Vendor SKU</th>
              <th scope="col">Unit</th>
              {session.seesCosts && (
                <th scope="col" className="num">
                  Unit cost
                </th>
              )}
              <th scope="col">Minimum / multiple</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.vendor_id}>
                <td>
                  <Link to={`/purchasing/vendors/${t.vendor_id}`}>{name.get(t.vendor_id)?.name ?? t.vendor_id}</Link> {t.preferred && <StatusBadge status="preferred" />}
                </td>
                <td className="mono">{t.vendor_sku ?? '—'}</td>
                <td>{t.purchase_unit}</td>
                {session.seesCosts && (
                  <td className="num">
                    <Money value={t.unit_cost} currency={name.get(t.vendor_id)?.currency} unitCost />
                  </td>
                )}
                <td>
                  {formatQty(t.min_order_qty)} / {formatQty(t.pack_multiple)}
                </td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </div>
  );
}
