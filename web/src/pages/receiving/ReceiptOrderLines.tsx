import type { Receipt } from '../../api/types.ts';
import { Empty, Qty } from '../../components/ui.tsx';
import { itemLabel, useItemsById } from '../../lib/items.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** The order's lines beside what this delivery brings: before, now and still to come, in base units. */
export function ReceiptOrderLines({ receipt: r }: { receipt: Receipt }) {
  const items = useItemsById(r.purchase_order_lines.map((l) => l.item_id));
  return (
    <div className="card">
      <h2>Against the order</h2>
      {r.purchase_order_lines.length === 0 ? (
        <Empty>No order lines.</Empty>
      ) : (
        <ListTable exportName="receipt-order-lines" data-testid="receipt-po-lines">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Ordered
              </th>
              <th scope="col" className="num">
                Before
              </th>
              <th scope="col" className="num">
                This delivery
              </th>
              <th scope="col" className="num">
                Outstanding after
              </th>
            </tr>
          </thead>
          <tbody>
            {r.purchase_order_lines.map((l) => (
              <tr key={l.purchase_order_line_id} className={l.outstanding_after < 0 ? 'over' : l.outstanding_after === 0 ? 'complete' : undefined}>
                <td>{itemLabel(items.get(l.item_id), l.item_id)}</td>
                <td className="num">
                  <Qty value={l.ordered} />
                </td>
                <td className="num">
                  <Qty value={l.received_before} />
                </td>
                <td className="num">
                  <Qty value={l.good_on_this_receipt} />
                  {l.damaged_on_this_receipt > 0 && <span className="warning"> +{l.damaged_on_this_receipt} damaged</span>}
                </td>
                <td className="num">
                  <Qty value={l.outstanding_after} />
                </td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </div>
  );
}
