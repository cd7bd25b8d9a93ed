import { Link } from 'react-router';
import type { Item } from '../../api/types.ts';
import { Qty } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { itemLabel, useItemsById } from '../../lib/items.ts';
import { ItemModifierGroups } from './ItemModifierGroups.tsx';

export function ItemDetails({ item }: { item: Item }) {
  const components = useItemsById(item.components.map((c) => c.item_id));
  return (
    <div className="card">
      <h2>Details</h2>
      <dl className="details">
        <dt>Barcodes</dt>
        <dd>{item.barcodes.length ? item.barcodes.map((b) => <code key={b.code}>{b.code} </code>) : '—'}</dd>
        <dt>Units</dt>
        <dd>
          {item.base_unit}
          {item.units.map((u) => (
            <span key={u.name}>
              , {u.name} = {formatQty(u.factor)} {item.base_unit}
            </span>
          ))}
        </dd>
        <dt>Tracking</dt>
        <dd>
          {item.tracking}
          {item.tracks_expiry ? ', with expiry' : ''}
        </dd>
        <dt>Costing</dt>
        <dd>{item.costing_method}</dd>
        {item.reorder_point !== undefined && (
          <>
            <dt>Shop-wide reorder point</dt>
            <dd>{item.reorder_point === null ? '—' : formatQty(item.reorder_point, item.base_unit)}</dd>
          </>
        )}
        {item.description && (
          <>
            <dt>Description</dt>
            <dd>{item.description}</dd>
          </>
        )}
      </dl>
      {item.components.length > 0 && (
        <>
          <h3>Components {item.stocked ? '(made by production)' : '(consumed when sold)'}</h3>
          <ul>
            {item.components.map((c) => (
              <li key={c.item_id}>
                <Qty value={c.qty} unit={components.get(c.item_id)?.base_unit} /> of <Link to={`/items/${c.item_id}`}>{itemLabel(components.get(c.item_id), c.item_id)}</Link>
              </li>
            ))}
          </ul>
        </>
      )}
      <ItemModifierGroups item={item} />
    </div>
  );
}
