import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Balance, Item, Lot, Page } from '../../api/types.ts';
import { useLocationLabel, useSite } from '../../auth/session.tsx';
import { Empty, ErrorBanner, formatDate, Qty } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

export function StockByLocation({ item }: { item: Item }) {
  const { siteId } = useSite();
  const label = useLocationLabel();
  const balances = useQuery({
    queryKey: ['balances', { item: item.id, site: siteId }],
    queryFn: () => api.get<Page<Balance>>('/api/v1/balances', { item_id: item.id, location_id: siteId ?? undefined, limit: 500 }),
  });
  const lots = useQuery({ queryKey: ['lots', item.id], queryFn: () => api.get<{ data: Lot[] }>('/api/v1/lots', { item_id: item.id }), enabled: item.tracking !== 'none' });
  const lotCode = new Map((lots.data?.data ?? []).map((l) => [l.id, l]));
  const rows = (balances.data?.data ?? []).filter((b) => b.on_hand !== 0 || (b.reserved ?? 0) !== 0);
  const total = rows.reduce((s, b) => s + b.on_hand, 0);
  const reserved = rows.reduce((s, b) => s + (b.reserved ?? 0), 0);
  return (
    <div className="card">
      <h2>Stock by location</h2>
      <p className="big-figure" data-testid="item-on-hand">
        <Qty value={Math.round(total * 1000) / 1000} unit={item.base_unit} /> on hand
        {reserved > 0 && (
          <span className="muted">
            {' '}
            · <Qty value={reserved} /> reserved
          </span>
        )}
      </p>
      <ErrorBanner error={balances.error} />
      {rows.length === 0 ? (
        <Empty>No stock {siteId ? 'at this site' : 'anywhere'}.</Empty>
      ) : (
        <ListTable exportName="stock-by-location">
          <thead>
            <tr>
              <th scope="col">Location / bin</th>
              {item.tracking !== 'none' && <th scope="col">Lot</th>}
              <th scope="col" className="num">
                On hand
              </th>
              <th scope="col" className="num">
                Reserved
              </th>
              <th scope="col" className="num">
                Available
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={`${b.location_id}-${b.lot_id}`}>
                <td>{label(b.location_id)}</td>
                {item.tracking !== 'none' && (
                  <td>
                    {b.lot_id ? (lotCode.get(b.lot_id)?.code ?? b.lot_id) : '—'}
                    {b.lot_id && lotCode.get(b.lot_id)?.expires_on && <span className="muted"> exp. {formatDate(lotCode.get(b.lot_id)!.expires_on)}</span>}
                  </td>
                )}
                <td className="num">
                  <Qty value={b.on_hand} />
                </td>
                <td className="num">
                  <Qty value={b.reserved} />
                </td>
                <td className="num">
                  <Qty value={b.available} />
                </td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </div>
  );
}
