import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { PriceChange } from '../../api/types.ts';
import { Empty, formatDateTime, Money } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

/** The prices the pricing calculator set for an item, with the cost under each and why. */
export function PriceHistory({ itemId }: { itemId: string }) {
  const history = useQuery({ queryKey: ['price-history', itemId], queryFn: () => api.get<{ data: PriceChange[] }>(`/api/v1/items/${itemId}/price-history`) });
  const rows = history.data?.data ?? [];
  return (
    <div className="card">
      <h2>Price history</h2>
      {rows.length === 0 ? (
        <Empty>No repricing yet. Set prices by markup or margin on the Pricing page.</Empty>
      ) : (
        <ListTable exportName="price-history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col" className="num">
                Before
              </th>
              <th scope="col" className="num">
                After
              </th>
              <th scope="col" className="num">
                Cost
              </th>
              <th scope="col">Rule</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{formatDateTime(r.created_at)}</td>
                <td className="num">
                  <Money value={r.price_before} />
                </td>
                <td className="num">
                  <Money value={r.price_after} />
                </td>
                <td className="num">
                  <Money value={r.cost} unitCost /> <span className="muted">{r.cost_basis}</span>
                </td>
                <td>{r.rule}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </div>
  );
}
