import { useLocationLabel } from '../../../auth/session.tsx';
import { Qty, StatusBadge } from '../../../components/ui.tsx';
import { itemLabel, type useItemsById } from '../../../lib/items.ts';
import type { Order } from '../types.ts';
import { ListTable } from '../../../components/ListTable.tsx';

/** What was ordered, where it is reserved, and how far each line has got: packed, shipped, returned. */
export function OrderLines({ order: o, items }: { order: Order; items: ReturnType<typeof useItemsById> }) {
  const label = useLocationLabel();
  return (
    <div className="card">
      <h2>Lines</h2>
      <ListTable exportName="order-lines" data-testid="order-lines">
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" className="num">
              Ordered
            </th>
            <th scope="col">Reserved at</th>
            <th scope="col" className="num">
              Packed
            </th>
            <th scope="col" className="num">
              Shipped
            </th>
            <th scope="col" className="num">
              Returned
            </th>
          </tr>
        </thead>
        <tbody>
          {o.lines.map((l) => (
            <tr key={l.id}>
              <td>
                {itemLabel(items.get(l.item_id), l.item_id)} {l.allocation === 'back_ordered' && <StatusBadge status="back_ordered" />}
              </td>
              <td className="num">
                <Qty value={l.qty} />
              </td>
              <td>{l.reservations.map((r) => `${label(r.location_id)}: ${r.qty}`).join(', ') || '—'}</td>
              <td className="num">
                <Qty value={l.qty_packed} />
              </td>
              <td className="num">
                <Qty value={l.qty_shipped} />
              </td>
              <td className="num">
                <Qty value={l.qty_returned} />
              </td>
            </tr>
          ))}
        </tbody>
      </ListTable>
    </div>
  );
}
