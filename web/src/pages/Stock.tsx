import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import type { Balance, Page } from '../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../auth/session.tsx';
import { Empty, ErrorBanner, Loading, PageHeader, Qty, ShowMore } from '../components/ui.tsx';
import { itemLabel, useItemsById } from '../lib/items.ts';

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
  const query = useInfiniteQuery({
    queryKey: ['balances', { siteId, asOf: asOfIso, by }],
    queryFn: ({ pageParam }) =>
      api.get<Page<Balance>>('/api/v1/balances', { location_id: siteId ?? undefined, as_of: asOfIso, group_by: by === 'item' ? 'item' : 'none', limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = (query.data?.pages.flatMap((p) => p.data) ?? []).filter((b) => b.on_hand !== 0 || (b.reserved ?? 0) !== 0);
  const items = useItemsById(rows.map((r) => r.item_id));
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
          {asOf ? `Balances as they stood at ${new Date(asOf).toLocaleString()}.` : 'Balances now.'}
        </span>
      </div>
      <ErrorBanner error={query.error} />
      {query.isLoading ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>No stock here{asOf ? ' at that moment' : ''}.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Item</th>
              {by === 'bin' && <th scope="col">Location / bin</th>}
              <th scope="col" className="num">
                On hand
              </th>
              <th scope="col" className="num">
                Reserved
              </th>
              <th scope="col" className="num">
                Available
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={`${b.item_id}-${b.location_id}-${b.lot_id}`}>
                <td>
                  <Link to={`/items/${b.item_id}`}>{itemLabel(items.get(b.item_id), b.item_id)}</Link>
                </td>
                {by === 'bin' && <td>{label(b.location_id)}</td>}
                <td className="num">
                  <Qty value={b.on_hand} unit={items.get(b.item_id)?.base_unit} />
                </td>
                <td className="num">
                  <Qty value={b.reserved} />
                </td>
                <td className="num">
                  <Qty value={b.available} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ShowMore query={query} />
    </section>
  );
}
