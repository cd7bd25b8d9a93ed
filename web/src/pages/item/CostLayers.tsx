import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Item, ItemCosts, Lot } from '../../api/types.ts';
import { ErrorBanner, formatDateTime, Money, Qty } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

export function CostLayers({ item }: { item: Item }) {
  const costs = useQuery({ queryKey: ['costs', item.id], queryFn: () => api.get<ItemCosts>(`/api/v1/items/${item.id}/costs`) });
  // A tracked item's layers each belong to a lot: selling that lot costs what it cost.
  const tracked = item.tracking !== 'none';
  const lots = useQuery({ queryKey: ['lots', item.id], queryFn: () => api.get<{ data: Lot[] }>('/api/v1/lots', { item_id: item.id }), enabled: tracked });
  const lotCode = (id: string | null) => (id === null ? '—' : (lots.data?.data.find((l) => l.id === id)?.code ?? id));
  const c = costs.data;
  return (
    <div className="card" data-testid="cost-layers">
      <h2>Cost</h2>
      <ErrorBanner error={costs.error} />
      {c && (
        <>
          <p>
            Value on hand <Money value={c.value} /> · unit cost <Money value={c.unit_cost} unitCost /> · last received at <Money value={c.last_unit_cost} unitCost /> ({c.costing_method})
          </p>
          {c.layers.length > 0 && (
            <ListTable exportName="cost-layers">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  {tracked && <th scope="col">{item.tracking === 'serial' ? 'Serial' : 'Lot'}</th>}
                  <th scope="col" className="num">
                    In
                  </th>
                  <th scope="col" className="num">
                    Remaining
                  </th>
                  <th scope="col" className="num">
                    Unit cost
                  </th>
                  <th scope="col" className="num">
                    Value left
                  </th>
                </tr>
              </thead>
              <tbody>
                {c.layers.map((l) => (
                  <tr key={l.movement_id}>
                    <td>{formatDateTime(l.received_at)}</td>
                    {tracked && <td>{lotCode(l.lot_id)}</td>}
                    <td className="num">
                      <Qty value={l.qty_in} />
                    </td>
                    <td className="num">
                      <Qty value={l.qty_remaining} />
                    </td>
                    <td className="num">
                      <Money value={l.unit_cost} unitCost />
                    </td>
                    <td className="num">
                      <Money value={l.value_remaining} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </ListTable>
          )}
        </>
      )}
    </div>
  );
}
