import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { MarginAlert } from '../../api/types.ts';
import { Empty, ErrorBanner, Money, TextField } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

/** Items whose margin fell below a threshold after a receipt at a higher cost. */
export function MarginAlerts() {
  const [below, setBelow] = useState('30');
  const alerts = useQuery({ queryKey: ['margin-alerts', below], queryFn: () => api.get<{ data: MarginAlert[] }>('/api/v1/pricing/margin-alerts', { below_percent: below }) });
  const rows = alerts.data?.data ?? [];
  return (
    <div className="card">
      <h2>Margins squeezed by a cost rise</h2>
      <TextField label="Margin below (%)" value={below} onValue={setBelow} inputMode="decimal" />
      <ErrorBanner error={alerts.error} />
      {rows.length === 0 ? (
        <Empty>No item’s margin fell below {below} % after its last receipt.</Empty>
      ) : (
        <ListTable exportName="margin-alerts">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Price
              </th>
              <th scope="col" className="num">
                Cost before → now
              </th>
              <th scope="col" className="num">
                Margin before → now
              </th>
              <th scope="col">Receipt</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.item_id}>
                <td>
                  <Link to={`/items/${a.item_id}`}>{a.name}</Link> <span className="mono muted">{a.sku}</span>
                </td>
                <td className="num">
                  <Money value={a.price} />
                </td>
                <td className="num">
                  <Money value={a.previous_cost} unitCost /> → <Money value={a.cost} unitCost />
                </td>
                <td className="num">
                  {a.margin_before_percent} % → {a.margin_percent} %
                </td>
                <td>
                  <Link to={`/purchasing/receipts/${a.receipt_id}`}>Open</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </div>
  );
}
