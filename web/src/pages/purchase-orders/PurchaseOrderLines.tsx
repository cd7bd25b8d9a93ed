import { Link } from 'react-router';
import type { PurchaseOrder } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { Money, Qty } from '../../components/ui.tsx';
import { itemLabel, useItemsById } from '../../lib/items.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** The order's lines: ordered in the purchase unit (a case of 12), received and outstanding in the item's base unit; prices only for those who see costs. */
export function PurchaseOrderLines({ order: o }: { order: PurchaseOrder }) {
  const session = useSignedIn();
  const items = useItemsById(o.lines.map((l) => l.item_id));
  return (
    <div className="card">
      <h2>Lines</h2>
      <ListTable exportName="purchase-order-lines" data-testid="po-lines">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Item</th>
            <th scope="col" className="num">
              Ordered
            </th>
            {session.seesCosts && (
              <th scope="col" className="num">
                Unit price
              </th>
            )}
            {session.seesCosts && (
              <th scope="col" className="num">
                Subtotal
              </th>
            )}
            <th scope="col" className="num">
              Received
            </th>
            <th scope="col" className="num">
              Damaged
            </th>
            <th scope="col" className="num">
              Outstanding
            </th>
          </tr>
        </thead>
        <tbody>
          {o.lines.map((l) => {
            const base = items.get(l.item_id)?.base_unit;
            return (
              <tr key={l.id}>
                <td>{l.line_no}</td>
                <td>
                  <Link to={`/items/${l.item_id}`}>{itemLabel(items.get(l.item_id), l.item_id)}</Link>
                  {l.vendor_sku && <span className="muted"> · {l.vendor_sku}</span>}
                  {l.warnings.map((w) => (
                    <div key={w.code} className="warning">
                      {w.message}
                    </div>
                  ))}
                </td>
                <td className="num">
                  <Qty value={l.qty} unit={l.unit} />
                  {l.unit_factor !== 1 && <div className="muted">= {l.qty_base} {base}</div>}
                </td>
                {session.seesCosts && (
                  <td className="num">
                    <Money value={l.unit_price} currency={o.currency} unitCost />
                  </td>
                )}
                {session.seesCosts && (
                  <td className="num">
                    <Money value={l.subtotal} currency={o.currency} />
                  </td>
                )}
                <td className="num">
                  <Qty value={l.qty_received} unit={base} />
                </td>
                <td className="num">
                  <Qty value={l.qty_damaged} />
                </td>
                <td className="num" data-testid={`outstanding-${l.line_no}`}>
                  <Qty value={l.qty_outstanding} unit={base} />
                </td>
              </tr>
            );
          })}
        </tbody>
        {session.seesCosts && o.total && (
          <tfoot>
            <tr>
              <td colSpan={4}>Subtotal / tax / shipping</td>
              <td className="num">
                <Money value={o.subtotal} currency={o.currency} /> / <Money value={o.tax} currency={o.currency} /> / <Money value={o.shipping} currency={o.currency} />
              </td>
              <td colSpan={2}>
                <strong>Total</strong>
              </td>
              <td className="num">
                <strong>
                  <Money value={o.total} currency={o.currency} />
                </strong>
              </td>
            </tr>
          </tfoot>
        )}
      </ListTable>
    </div>
  );
}
