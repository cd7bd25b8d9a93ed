import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.ts';
import type { Balance, Item, ItemCosts, Lot, Movement, Page, VendorItem, Vendor } from '../api/types.ts';
import { useLocationLabel, useLocations, useSignedIn, useSite } from '../auth/session.tsx';
import { dayToSeconds, TimeChart } from '../components/Chart.tsx';
import { Empty, ErrorBanner, formatDate, formatDateTime, Loading, Money, PageHeader, Qty, StatusBadge } from '../components/ui.tsx';
import { formatQty } from '../lib/decimal.ts';
import { itemLabel, useItemsById } from '../lib/items.ts';
import { MovementTable } from './Movements.tsx';

const VIRTUAL = /^loc_[a-z]+$/;

export function ItemPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const item = useQuery({ queryKey: ['item', id], queryFn: () => api.get<Item>(`/api/v1/items/${id}`) });
  if (item.isLoading) return <Loading />;
  if (item.error || !item.data) return <ErrorBanner error={item.error} title="This item could not be opened" />;
  const it = item.data;
  return (
    <section className="item-page">
      <PageHeader
        title={it.name}
        actions={
          session.can('items.write') && (
            <>
              <Link className="button" to={`/items/${it.id}/edit`}>
                Edit
              </Link>
              <ArchiveButton item={it} />
            </>
          )
        }
      >
        <p className="subtitle">
          <span className="mono">{it.sku}</span> · {it.category ?? 'no category'} · sold by {it.base_unit}
          {it.price && (
            <>
              {' '}
              at <Money value={it.price} />
            </>
          )}{' '}
          · <StatusBadge status={it.status} /> {!it.stocked && <StatusBadge status="not_stocked" />}
        </p>
      </PageHeader>
      <div className="grid-2">
        <StockByLocation item={it} />
        <OnHandChart item={it} />
      </div>
      <div className="grid-2">
        <Details item={it} />
        <Lots item={it} />
      </div>
      {session.seesCosts && <CostLayers item={it} />}
      {session.can('purchasing.read') && <Vendors item={it} />}
      <History item={it} />
    </section>
  );
}

function ArchiveButton({ item }: { item: Item }) {
  const qc = useQueryClient();
  const action = item.status === 'active' ? 'archive' : 'unarchive';
  const m = useMutation({
    mutationFn: () => api.post<Item>(`/api/v1/items/${item.id}/${action}`),
    onSuccess: (updated) => {
      qc.setQueryData(['item', item.id], updated);
      void qc.invalidateQueries({ queryKey: ['items'] });
    },
  });
  return (
    <>
      <button type="button" onClick={() => m.mutate()} disabled={m.isPending}>
        {action === 'archive' ? 'Archive' : 'Bring back'}
      </button>
      <ErrorBanner error={m.error} />
    </>
  );
}

function StockByLocation({ item }: { item: Item }) {
  const { siteId } = useSite();
  const label = useLocationLabel();
  const balances = useQuery({
    queryKey: ['balances', { item: item.id, site: siteId }],
    queryFn: () => api.get<Page<Balance>>('/api/v1/balances', { item_id: item.id, location_id: siteId ?? undefined, limit: 500 }),
  });
  const lots = useQuery({ queryKey: ['lots', item.id], queryFn: () => api.get<{ data: Lot[] }>('/api/v1/lots', { item_id: item.id }), enabled: item.tracking !== 'none' });
  const lotCode = new Map((lots.data?.data ?? []).map((l) => [l.id, l]));
  const rows = (balances.data?.data ?? []).filter((b) => b.on_hand !== 0 || (b.reserved ?? 0) !== 0);
  const total = rows.reduce((s, b) => s + b.on_hand, 0);
  const reserved = rows.reduce((s, b) => s + (b.reserved ?? 0), 0);
  return (
    <div className="card">
      <h2>Stock by location</h2>
      <p className="big-figure" data-testid="item-on-hand">
        <Qty value={Math.round(total * 1000) / 1000} unit={item.base_unit} /> on hand
        {reserved > 0 && (
          <span className="muted">
            {' '}
            · <Qty value={reserved} /> reserved
          </span>
        )}
      </p>
      <ErrorBanner error={balances.error} />
      {rows.length === 0 ? (
        <Empty>No stock {siteId ? 'at this site' : 'anywhere'}.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Location / bin</th>
              {item.tracking !== 'none' && <th scope="col">Lot</th>}
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
              <tr key={`${b.location_id}-${b.lot_id}`}>
                <td>{label(b.location_id)}</td>
                {item.tracking !== 'none' && (
                  <td>
                    {b.lot_id ? (lotCode.get(b.lot_id)?.code ?? b.lot_id) : '—'}
                    {b.lot_id && lotCode.get(b.lot_id)?.expires_on && <span className="muted"> exp. {formatDate(lotCode.get(b.lot_id)!.expires_on)}</span>}
                  </td>
                )}
                <td className="num">
                  <Qty value={b.on_hand} />
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
    </div>
  );
}

/**
 * On hand over the last 90 days, rebuilt from the ledger: start from today's balance and undo
 * each movement, newest first (every change of stock is a movement, so this is exact).
 */
function OnHandChart({ item }: { item: Item }) {
  const { siteId } = useSite();
  const { byId } = useLocations();
  const from = useMemo(() => new Date(Date.now() - 90 * 86_400_000).toISOString(), []);
  const data = useQuery({
    queryKey: ['onhand-history', item.id, siteId],
    queryFn: async () => {
      const balances = await api.get<Page<Balance>>('/api/v1/balances', { item_id: item.id, location_id: siteId ?? undefined, group_by: 'item' });
      const movements: Movement[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.get<Page<Movement>>('/api/v1/movements', { item_id: item.id, location_id: siteId ?? undefined, from, limit: 500, cursor });
        movements.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && movements.length < 5000);
      return { now: balances.data[0]?.on_hand ?? 0, movements };
    },
  });
  const chart = useMemo(() => {
    if (!data.data) return null;
    const counts = (loc: string) => {
      if (VIRTUAL.test(loc)) return false;
      if (!siteId) return true;
      const l = byId.get(loc);
      return l ? l.site_id === siteId : false;
    };
    let level = data.data.now;
    const points: [number, number][] = [[Date.now() / 1000, level]];
    for (const m of data.data.movements) {
      const delta = (counts(m.to_location_id) ? m.qty : 0) - (counts(m.from_location_id) ? m.qty : 0);
      const at = new Date(m.effective_at).getTime() / 1000;
      points.push([at, level]);
      level = Math.round((level - delta) * 1000) / 1000;
      points.push([at - 0.001, level]);
    }
    points.push([dayToSeconds(from.slice(0, 10)), level]);
    points.sort((a, b) => a[0] - b[0]);
    return { times: points.map((p) => p[0]), values: points.map((p) => p[1]) };
  }, [data.data, byId, siteId, from]);
  const series = useMemo(() => (chart ? [{ label: 'On hand', values: chart.values, color: '#1f6f5c', kind: 'line' as const }] : []), [chart]);
  return (
    <div className="card">
      <ErrorBanner error={data.error} />
      {chart ? <TimeChart title="On hand, last 90 days" times={chart.times} series={series} format={(v) => formatQty(v)} /> : <Loading />}
    </div>
  );
}

function Details({ item }: { item: Item }) {
  const components = useItemsById(item.components.map((c) => c.item_id));
  const groups = (item.modifier_groups ?? []) as { id?: string; name: string; required?: boolean; modifiers?: { name: string; price_change?: string; price?: string }[] }[];
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
            <dt>Reorder point</dt>
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
      {groups.length > 0 && (
        <>
          <h3>Modifiers</h3>
          {groups.map((g, i) => (
            <p key={g.id ?? i}>
              <strong>{g.name}</strong>
              {g.required ? ' (required)' : ''}: {(g.modifiers ?? []).map((m) => `${m.name}${m.price_change ?? m.price ? ` (${m.price_change ?? m.price})` : ''}`).join(', ')}
            </p>
          ))}
        </>
      )}
    </div>
  );
}

function Lots({ item }: { item: Item }) {
  const lots = useQuery({ queryKey: ['lots', item.id], queryFn: () => api.get<{ data: Lot[] }>('/api/v1/lots', { item_id: item.id }), enabled: item.tracking !== 'none' });
  return (
    <div className="card">
      <h2>Lots and expiry</h2>
      {item.tracking === 'none' ? (
        <Empty>This item is not tracked by lot or serial number.</Empty>
      ) : (lots.data?.data ?? []).length === 0 ? (
        <Empty>No lots yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{item.tracking === 'serial' ? 'Serial' : 'Lot'}</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {lots.data!.data.map((l) => (
              <tr key={l.id}>
                <td className="mono">{l.code}</td>
                <td>{formatDate(l.expires_on)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function CostLayers({ item }: { item: Item }) {
  const costs = useQuery({ queryKey: ['costs', item.id], queryFn: () => api.get<ItemCosts>(`/api/v1/items/${item.id}/costs`) });
  const c = costs.data;
  return (
    <div className="card" data-testid="cost-layers">
      <h2>Cost</h2>
      <ErrorBanner error={costs.error} />
      {c && (
        <>
          <p>
            Value on hand <Money value={c.value} total /> · unit cost <Money value={c.unit_cost} /> · last received at <Money value={c.last_unit_cost} /> ({c.costing_method})
          </p>
          {c.layers.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col" className="num">
                    In
                  </th>
                  <th scope="col" className="num">
                    Remaining
                  </th>
                  <th scope="col" className="num">
                    Unit cost
                  </th>
                  <th scope="col" className="num">
                    Value left
                  </th>
                </tr>
              </thead>
              <tbody>
                {c.layers.map((l) => (
                  <tr key={l.movement_id}>
                    <td>{formatDateTime(l.received_at)}</td>
                    <td className="num">
                      <Qty value={l.qty_in} />
                    </td>
                    <td className="num">
                      <Qty value={l.qty_remaining} />
                    </td>
                    <td className="num">
                      <Money value={l.unit_cost} />
                    </td>
                    <td className="num">
                      <Money value={l.value_remaining} total />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}

function Vendors({ item }: { item: Item }) {
  const session = useSignedIn();
  const terms = useQuery({ queryKey: ['item-vendors', item.id], queryFn: () => api.get<{ data: VendorItem[] }>(`/api/v1/items/${item.id}/vendors`) });
  const vendors = useQuery({ queryKey: ['vendors', 'all'], queryFn: () => api.get<Page<Vendor>>('/api/v1/vendors', { limit: 500, status: 'all' }) });
  const name = new Map((vendors.data?.data ?? []).map((v) => [v.id, v]));
  const rows = terms.data?.data ?? [];
  return (
    <div className="card">
      <h2>Vendors</h2>
      {rows.length === 0 ? (
        <Empty>No vendor sells this item yet. Add terms on a vendor’s page.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Vendor</th>
              <th scope="col">Vendor SKU</th>
              <th scope="col">Unit</th>
              {session.seesCosts && (
                <th scope="col" className="num">
                  Cost
                </th>
              )}
              <th scope="col">Minimum / multiple</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.vendor_id}>
                <td>
                  <Link to={`/purchasing/vendors/${t.vendor_id}`}>{name.get(t.vendor_id)?.name ?? t.vendor_id}</Link> {t.preferred && <StatusBadge status="preferred" />}
                </td>
                <td className="mono">{t.vendor_sku ?? '—'}</td>
                <td>{t.purchase_unit}</td>
                {session.seesCosts && (
                  <td className="num">
                    <Money value={t.unit_cost} currency={name.get(t.vendor_id)?.currency} />
                  </td>
                )}
                <td>
                  {formatQty(t.min_order_qty)} / {formatQty(t.pack_multiple)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function History({ item }: { item: Item }) {
  const { siteId } = useSite();
  const history = useInfiniteQuery({
    queryKey: ['movements', { item: item.id, site: siteId }],
    queryFn: ({ pageParam }) => api.get<Page<Movement>>('/api/v1/movements', { item_id: item.id, location_id: siteId ?? undefined, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = history.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="card" data-testid="item-history">
      <h2>Movement history</h2>
      <ErrorBanner error={history.error} />
      <MovementTable rows={rows} showItem={false} />
      {history.hasNextPage && (
        <button type="button" onClick={() => void history.fetchNextPage()} disabled={history.isFetchingNextPage}>
          {history.isFetchingNextPage ? 'Loading…' : 'Show older movements'}
        </button>
      )}
    </div>
  );
}
