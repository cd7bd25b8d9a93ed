import type { Item, Movement } from '../../api/types.ts';
import { useSite } from '../../auth/session.tsx';
import { PagedList } from '../../components/PagedList.tsx';
import { useMovementColumns } from '../Movements.tsx';

/** Every movement of the item at the chosen site, newest first, paged to the first one. */
export function ItemHistory({ item }: { item: Item }) {
  const { siteId } = useSite();
  const columns = useMovementColumns(false);
  return (
    <div className="card" data-testid="item-history">
      <h2>Movement history</h2>
      <PagedList<Movement>
        noun="movements"
        queryKey={['movements', 'item', item.id, siteId]}
        sources={{ path: '/api/v1/movements', query: { item_id: item.id, location_id: siteId ?? undefined } }}
        columns={columns}
        rowKey={(m) => m.id}
        pageSize={50}
        empty="No movements."
      />
    </div>
  );
}
