import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import type { ItemListEntry, Page } from '../api/types.ts';
import { useSignedIn, useSite } from '../auth/session.tsx';
import { useDebounced } from '../components/ItemSearch.tsx';
import { PrintLabels } from '../components/PrintLabels.tsx';
import { ErrorBanner, formatDate, Money, PageHeader } from '../components/ui.tsx';
import { downloadCsv } from '../lib/csv.ts';
import { lookUpItem } from '../lib/lookup.ts';
import { signalRead, useWedgeScanner } from '../lib/scanning.ts';

const PAGE_SIZE = 200;
const ROW_HEIGHT = 40;
type Sort = 'name' | 'sku' | 'updated';

/**
 * The catalogue: server-side search and paging by cursor (200 rows a page, the next page
 * fetched as the end comes into view) and virtualised rows, so 30,000 items scroll like 30.
 */
export function ItemsPage() {
  const session = useSignedIn();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const text = params.get('q') ?? '';
  const sort = (params.get('sort') as Sort | null) ?? 'name';
  const status = params.get('status') ?? 'active';
  const category = params.get('category') ?? '';
  const stocked = params.get('stocked') ?? '';
  const q = useDebounced(text.trim(), 250);
  // A selection of items to print labels for or to reprice; kept across searches.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const categoryQ = useDebounced(category.trim(), 250);
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  // Stock is counted at the site chosen in the switcher, or over every site the person may see.
  const { siteId } = useSite();
  const location_id = siteId ?? undefined;
  const query = useInfiniteQuery({
    queryKey: ['items', { q, sort, status, category: categoryQ, stocked, location_id }],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<ItemListEntry>>('/api/v1/items', { q, sort, status, category: categoryQ, stocked, location_id, limit: PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    staleTime: 30_000,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows[virtualRows.length - 1]?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= rows.length - 40 && query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
  }, [lastIndex, rows.length, query]);

  // A scan on this page opens the item it names.
  useWedgeScanner(async (code) => {
    const item = await lookUpItem(code).catch(() => null);
    signalRead(item ? 'ok' : 'unknown');
    if (item) navigate(`/items/${item.id}`);
    else update({ q: code });
  });

  const header = (key: Sort | null, label: string) =>
    key ? (
      <div role="columnheader" aria-sort={sort === key ? (key === 'updated' ? 'descending' : 'ascending') : 'none'}>
        <button type="button" className="link" onClick={() => update({ sort: key === 'name' ? '' : key })}>
          {label} {sort === key ? (key === 'updated' ? '↓' : '↑') : ''}
        </button>
      </div>
    ) : (
      <div role="columnheader">{label}</div>
    );

  return (
    <section className="items-page">
      <PageHeader
        title="Items"
        actions={
          <>
            {selected.size > 0 && (
              <>
                <span className="muted">{selected.size} selected</span>{' '}
                <PrintLabels key={[...selected].join(',')} source={{ kind: 'items', items: [...selected].map((item_id) => ({ item_id })) }} defaultTemplate="shelf_tag" />{' '}
                {session.seesCosts && session.can('items.write') && (
                  <Link className="button" to={`/items/pricing?ids=${[...selected].join(',')}`}>
                    Reprice selection
                  </Link>
                )}{' '}
                <button type="button" className="button ghost" onClick={() => setSelected(new Set())}>
                  Clear selection
                </button>{' '}
              </>
            )}
            {rows.length > 0 && (
              <button type="button" className="ghost" title="The items loaded so far, as a CSV file" onClick={() => downloadCsv('items.csv', rows as unknown as Record<string, unknown>[])}>
                Export CSV
              </button>
            )}
            {session.can('items.write') && (
              <Link className="button primary" to="/items/new">
                New item
              </Link>
            )}
          </>
        }
      />
      <div className="filters" role="search">
        <label>
          <span>Search</span>
          <input type="search" value={text} onChange={(e) => update({ q: e.target.value })} placeholder="SKU, name, category or barcode" aria-label="Search items" autoFocus />
        </label>
        <label>
          <span>Category</span>
          <input value={category} onChange={(e) => update({ category: e.target.value })} placeholder="Any" />
        </label>
        <label>
          <span>Status</span>
          <select value={status} onChange={(e) => update({ status: e.target.value === 'active' ? '' : e.target.value })}>
            <option value="active">Active</option>
            <option value="archived">Archived</option>
            <option value="all">All</option>
          </select>
        </label>
        <label>
          <span>Kind</span>
          <select value={stocked} onChange={(e) => update({ stocked: e.target.value })}>
            <option value="">Any</option>
            <option value="true">Stocked</option>
            <option value="false">Not stocked (bundles, recipes)</option>
          </select>
        </label>
        <span className="muted" role="status" aria-live="polite">
          {query.isLoading ? 'Loading…' : `${rows.length.toLocaleString()}${query.hasNextPage ? '+' : ''} items`}
        </span>
      </div>
      <ErrorBanner error={query.error} />
      <div className="vtable" role="table" aria-label="Items" aria-rowcount={query.hasNextPage ? -1 : rows.length + 1}>
        <div className="vrow vhead" role="row">
          {header('sku', 'SKU')}
          {header('name', 'Name')}
          {header(null, 'Category')}
          {header(null, 'On hand')}
          {header(null, 'Price')}
          {header(null, 'Unit')}
          {header('updated', 'Updated')}
        </div>
        <div ref={scroller} className="vbody" data-testid="items-scroller">
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualRows.map((v) => {
              const item = rows[v.index]!;
              return (
                <div
                  key={item.id}
                  role="row"
                  aria-rowindex={v.index + 2}
                  className={`vrow${item.status === 'archived' ? ' archived' : ''}`}
                  style={{ position: 'absolute', top: 0, transform: `translateY(${v.start}px)`, height: ROW_HEIGHT, width: '100%' }}
                >
                  <div role="cell" className="mono">
                    <input type="checkbox" checked={selected.has(item.id)} onChange={() => toggle(item.id)} aria-label={`Select ${item.sku}`} /> {item.sku}
                  </div>
                  <div role="cell">
                    <Link to={`/items/${item.id}`}>{item.name}</Link>
                  </div>
                  <div role="cell">{item.category ?? ''}</div>
                  <div role="cell" className={`num${item.on_hand !== null && item.on_hand <= 0 ? ' negative' : ''}`}>
                    {item.on_hand ?? '—'}
                  </div>
                  <div role="cell" className="num">
                    <Money value={item.price} />
                  </div>
                  <div role="cell">{item.base_unit}</div>
                  <div role="cell" className="muted">
                    {formatDate(item.updated_at)}
                  </div>
                </div>
              );
            })}
          </div>
          {query.isFetchingNextPage && <div className="loading-more">Loading more…</div>}
          {!query.isLoading && rows.length === 0 && <p className="empty">No item matches. {session.can('items.write') && <Link to="/items/new">Create one</Link>}</p>}
        </div>
      </div>
    </section>
  );
}
