import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { useLocationLabel, useSignedIn } from '../../auth/session.tsx';
import { formatDateTime, Money, Qty } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

interface History {
  last_counted_at: string | null;
  history: Array<{ count_id: string; count_number: string; location_id: string; counted_at: string; counted_qty: number; expected_qty: number; variance_qty: number; variance_value?: string | null }>;
}

/** On the item page: when the item was last counted, and what its counts found. */
export function ItemCountHistory({ itemId }: { itemId: string }) {
  const session = useSignedIn();
  const label = useLocationLabel();
  const query = useQuery({ queryKey: ['item-count-history', itemId], queryFn: () => api.get<History>(`/api/v1/items/${itemId}/count-history`) });
  const data = query.data;
  if (!data) return null;
  return (
    <section className="card" data-testid="item-count-history">
      <h2>Counts</h2>
      <p>Last counted: {data.last_counted_at ? formatDateTime(data.last_counted_at) : 'never'}</p>
      {data.history.length > 0 && (
        <ListTable exportName="count-history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Where</th>
              <th scope="col">Count</th>
              <th scope="col">Counted</th>
              <th scope="col">Expected</th>
              <th scope="col">Variance</th>
              {session.seesCosts && <th scope="col">Value</th>}
            </tr>
          </thead>
          <tbody>
            {data.history.slice(0, 20).map((h) => (
              <tr key={`${h.count_id}-${h.location_id}-${h.counted_at}`} className={h.variance_qty !== 0 ? 'highlight' : undefined}>
                <td>{formatDateTime(h.counted_at)}</td>
                <td>{label(h.location_id)}</td>
                <td>
                  <Link to={`/stock/counts/${h.count_id}`}>{h.count_number}</Link>
                </td>
                <td>
                  <Qty value={h.counted_qty} />
                </td>
                <td>
                  <Qty value={h.expected_qty} />
                </td>
                <td>{h.variance_qty > 0 ? `+${h.variance_qty}` : h.variance_qty}</td>
                {session.seesCosts && (
                  <td>
                    <Money value={h.variance_value ?? null} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </section>
  );
}
