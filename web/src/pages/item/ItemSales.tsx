import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Item } from '../../api/types.ts';
import { useSignedIn, useSite } from '../../auth/session.tsx';
import { dayToSeconds, TimeChart } from '../../components/Chart.tsx';
import { Empty, ErrorBanner, Loading, Money, Qty } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { daysAgo, localDate } from '../../lib/items.ts';
import { ListTable } from '../../components/ListTable.tsx';

interface ItemSalesResult {
  days: { date: string; qty: number; lines: number; revenue: string }[];
  totals: { qty: number; lines: number; revenue: string };
  consumed: { item_id: string; sku: string; name: string; base_unit: string; qty: number; cost?: string }[];
}

/**
 * What the item sold over the last 30 days, per day, and the stock those sales took. For an item
 * that is not stocked (a latte, a gift basket) this is the whole story: it has no stock of its
 * own, but it sells every day and uses up beans, milk and cups.
 */
export function ItemSales({ item }: { item: Item }) {
  const session = useSignedIn();
  const { siteId } = useSite();
  const from = daysAgo(29);
  const to = localDate();
  const sales = useQuery({
    queryKey: ['item-sales', item.id, siteId, from, to],
    queryFn: () => api.get<ItemSalesResult>(`/api/v1/items/${item.id}/sales`, { from, to, location_id: siteId ?? undefined }),
  });
  const series = useMemo(() => [{ label: 'Sold', values: (sales.data?.days ?? []).map((d) => d.qty), color: '#1f6f5c', kind: 'bars' as const }], [sales.data]);
  const times = useMemo(() => (sales.data?.days ?? []).map((d) => dayToSeconds(d.date)), [sales.data]);
  const data = sales.data;
  return (
    <div className="grid-2" data-testid="item-sales">
      <div className="card">
        <h2>Sold, last 30 days</h2>
        <ErrorBanner error={sales.error} />
        {!data ? (
          <Loading />
        ) : (
          <>
            <p className="big-figure" data-testid="item-sold">
              <Qty value={data.totals.qty} unit={item.base_unit} /> sold <span className="muted">on {data.totals.lines} sale lines, <Money value={data.totals.revenue} /> before tax</span>
            </p>
            <TimeChart title="Sold per day" times={times} series={series} format={(v) => formatQty(v)} />
          </>
        )}
      </div>
      <div className="card">
        <h2>What its sales used</h2>
        {!data ? (
          <Loading />
        ) : data.consumed.length === 0 ? (
          <Empty>Nothing taken from stock in these 30 days.</Empty>
        ) : (
          <ListTable exportName="item-consumed" data-testid="item-consumed">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" className="num">
                  Used
                </th>
                {session.seesCosts && (
                  <th scope="col" className="num">
                    Cost
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.consumed.map((c) => (
                <tr key={c.item_id}>
                  <td>
                    <Link to={`/items/${c.item_id}`}>
                      {c.name} ({c.sku})
                    </Link>
                  </td>
                  <td className="num">
                    <Qty value={c.qty} unit={c.base_unit} />
                  </td>
                  {session.seesCosts && (
                    <td className="num">
                      <Money value={c.cost} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </ListTable>
        )}
      </div>
    </div>
  );
}
