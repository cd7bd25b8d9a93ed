import type { Receipt } from '../../api/types.ts';
import { Empty, formatDate, Qty } from '../../components/ui.tsx';
import { itemLabel, useItemsById } from '../../lib/items.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** The lines scanned so far; a draft's lines can be taken off again. */
export function ReceiptLines({ receipt: r, onRemove }: { receipt: Receipt; onRemove?: (lineId: string) => void }) {
  const items = useItemsById(r.lines.map((l) => l.item_id));
  const editable = r.status === 'draft' && onRemove !== undefined;
  return (
    <div className="card">
      <h2>Lines on this receipt</h2>
      {r.lines.length === 0 ? (
        <Empty>Nothing scanned yet.</Empty>
      ) : (
        <ListTable exportName="receipt-lines" data-testid="receipt-lines">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Quantity
              </th>
              <th scope="col">Lot</th>
              <th scope="col">Condition</th>
              {editable && (
                <th scope="col">
                  <span className="sr-only">Remove</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {r.lines.map((l) => (
              <tr key={l.id}>
                <td>{l.line_no}</td>
                <td>{itemLabel(items.get(l.item_id), l.item_id)}</td>
                <td className="num">
                  <Qty value={l.qty} unit={l.unit} />
                </td>
                <td>
                  {l.lot_code ?? '—'}
                  {l.expires_on && <span className="muted"> exp. {formatDate(l.expires_on)}</span>}
                </td>
                <td>
                  {l.condition}
                  {l.condition === 'damaged' ? ` → ${l.disposition}` : ''}
                </td>
                {editable && (
                  <td>
                    <button type="button" className="link" onClick={() => onRemove?.(l.id)} aria-label={`Remove line ${l.line_no}`}>
                      Remove
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </div>
  );
}
