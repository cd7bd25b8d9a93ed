import { Link, useSearchParams } from 'react-router';
import type { Balance } from '../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../auth/session.tsx';
import { PagedList, type Column } from '../components/PagedList.tsx';
import { formatDateTime, PageHeader, Qty } from '../components/ui.tsx';
import { useItemLabel } from '../lib/items.ts';

function ItemCell({ id }: { id: string }) {
  return <Link to={`/items/${id}`}>{useItemLabel(id)}</Link>;
}

/** Balances of the chosen site by item or by bin, now or as they stood at a past moment. */
export function StockPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const label = useLocationLabel();
  const [params, setParams] = useSearchParams();
  const asOf = params.get('as_of') ?? '';
  const by = params.get('by') === 'bin' ? 'bin' : 'item';
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const asOfIso = asOf ? new Date(asOf).toISOString() : undefined;
  const columns: Array<Column<Balance> | false> = [
    { key: 'item', header: 'Item', cell: (b) => <ItemCell id={b.item_id} /> },
    by === 'bin' && { key: 'where', header: 'Location / bin', cell: (b) => label(b.location_id) },
    { key: 'on_hand', header: 'On hand', num: true, cell: (b) => <Qty value={b.on_hand} /> },
    { key: 'reserved', header: 'Reserved', num: true, cell: (b) => <Qty value={b.reserved} /> },
    { key: 'available', header: 'Available', num: true, cell: (b) => <Qty value={b.available} /> },
  ];
  return (
    <section>
      <PageHeader
        title="Stock"
        actions={
          session.can('adjustments.write') && (
            <Link className="button primary" to="/stock/adjustments/new">
              Adjust stock
            </Link>
          )
        }
      />
      <div className="filters">
        <label>
          <span>As of</span>
          <input type="datetime-local" value={asOf} onChange={(e) => set('as_of', e.target.value)} aria-describedby="as-of-hint" />
        </label>
        {asOf && (
          <button type="button" className="link" onClick={() => set('as_of', '')}>
            Back to now
          </button>
        )}
        <fieldset className="segmented">
          <legend>Show</legend>
          <label>
            <input type="radio" name="by" checked={by === 'item'} onChange={() => set('by', '')} /> By item
          </label>
          <label>
            <input type="radio" name="by" checked={by === 'bin'} onChange={() => set('by', 'bin')} /> By location and bin
          </label>
        </fieldset>
        <span id="as-of-hint" className="hint">
          {asOf ? `Balances as they stood at ${formatDateTime(asOf)}.` : 'Balances now.'}
        </span>
      </div>
      <PagedList<Balance>
        noun={by === 'bin' ? 'balances' : 'items in stock'}
        queryKey={['balances', 'list', siteId, asOfIso, by]}
        sources={{ path: '/api/v1/balances', query: { location_id: siteId ?? undefined, as_of: asOfIso, group_by: by === 'item' ? 'item' : 'none' } }}
        keep={(b) => b.on_hand !== 0 || (b.reserved ?? 0) !== 0}
        columns={columns.filter((c): c is Column<Balance> => c !== false)}
        rowKey={(b) => `${b.item_id}-${b.location_id}-${b.lot_id}`}
        empty={`No stock here${asOf ? ' at that moment' : ''}.`}
      />
    </section>
  );
}
