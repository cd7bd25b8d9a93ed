import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Item } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { Money } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import type { Bom, BomTree } from '../production/types.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** The item's bill of materials as a tree (sub-assemblies opened), with the cost rolled up at each level for those who see costs. */
export function ItemBom({ item }: { item: Item }) {
  const { seesCosts } = useSignedIn();
  const versions = useQuery({ queryKey: ['boms', item.id], queryFn: () => api.get<{ data: Bom[] }>(`/api/v1/items/${item.id}/boms`) });
  const active = versions.data?.data.find((b) => b.status === 'active');
  const tree = useQuery({ queryKey: ['bom-tree', item.id], queryFn: () => api.get<BomTree>(`/api/v1/items/${item.id}/bom-tree`), enabled: active !== undefined });
  if (!active || !tree.data) return null;
  const t = tree.data;
  return (
    <div className="card" data-testid="item-bom">
      <h2>
        Bill of materials <span className="muted">v{active.version}</span>
      </h2>
      <p>
        A batch makes {formatQty(active.batch_qty, item.base_unit)} (yield {active.yield}%{active.scrap !== '0' ? `, component loss ${active.scrap}%` : ''})
        {seesCosts && (
          <>
            {' '}
            · labour <Money value={active.labour} /> per {active.labour_basis} · overhead <Money value={active.overhead} /> per {active.overhead_basis} · rolled-up cost{' '}
            <Money value={t.unit_cost} unitCost /> per {item.base_unit}
          </>
        )}
        {active.shelf_life_days !== null && ` · keeps ${active.shelf_life_days} day${active.shelf_life_days === 1 ? '' : 's'}`}
      </p>
      <ListTable exportName="item-components">
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col" className="num">Per batch</th>
            {seesCosts && <th scope="col" className="num">Unit cost</th>}
            {seesCosts && <th scope="col" className="num">Cost</th>}
          </tr>
        </thead>
        <tbody>
          {t.nodes.map((n, i) => (
            <tr key={`${n.parent_item_id}-${n.item_id}-${i}`}>
              <td style={{ paddingLeft: `${(n.depth - 1) * 1.5 + 0.5}rem` }}>
                {n.depth > 1 ? '└ ' : ''}
                <Link to={`/items/${n.item_id}`}>{n.name}</Link> <span className="muted mono">{n.sku}</span>
                {n.sub_assembly && <span className="badge"> made here</span>}
              </td>
              <td className="num">{formatQty(n.qty, n.base_unit)}</td>
              {seesCosts && (
                <td className="num">
                  <Money value={n.unit_cost} unitCost />
                </td>
              )}
              {seesCosts && (
                <td className="num">
                  <Money value={n.cost} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </ListTable>
    </div>
  );
}
