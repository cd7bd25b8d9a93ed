import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Item, Lot } from '../../api/types.ts';
import { Empty, formatDate } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

export function ItemLots({ item }: { item: Item }) {
  const lots = useQuery({ queryKey: ['lots', item.id], queryFn: () => api.get<{ data: Lot[] }>('/api/v1/lots', { item_id: item.id }), enabled: item.tracking !== 'none' });
  return (
    <div className="card">
      <h2>Lots and expiry</h2>
      {item.tracking === 'none' ? (
        <Empty>This item is not tracked by lot or serial number.</Empty>
      ) : (lots.data?.data ?? []).length === 0 ? (
        <Empty>No lots yet.</Empty>
      ) : (
        <ListTable exportName="item-lots">
          <thead>
            <tr>
              <th scope="col">{item.tracking === 'serial' ? 'Serial' : 'Lot'}</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {lots.data!.data.map((l) => (
              <tr key={l.id}>
                <td className="mono">{l.code}</td>
                <td>{formatDate(l.expires_on)}</td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </div>
  );
}
