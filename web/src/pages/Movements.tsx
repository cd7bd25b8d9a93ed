import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import type { Movement, Page } from '../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../auth/session.tsx';
import { ItemSearch } from '../components/ItemSearch.tsx';
import { Empty, ErrorBanner, formatDateTime, Money, PageHeader, Qty } from '../components/ui.tsx';
import { itemLabel, useItemsById } from '../lib/items.ts';

const KINDS = ['adjustment', 'receipt', 'sale', 'sale_void', 'shipment', 'return', 'transfer', 'count', 'scrap', 'production', 'consumption'];

function documentLink(m: Movement): string | null {
  switch (m.document_type) {
    case 'receipt':
      return `/purchasing/receipts/${m.document_id}`;
    case 'adjustment':
      return `/stock/adjustments?id=${m.document_id}`;
    case 'sale':
      return `/selling/sales/${m.document_id}`;
    case 'order':
      return `/selling/orders/${m.document_id}`;
    default:
      return null;
  }
}

/** Movements, newest first; costs appear only for those who may see them (staff get no cost column at all). */
export function MovementTable({ rows, showItem = true }: { rows: Movement[]; showItem?: boolean }) {
  const session = useSignedIn();
  const label = useLocationLabel();
  const items = useItemsById(showItem ? rows.map((r) => r.item_id) : []);
  if (rows.length === 0) return <Empty>No movements.</Empty>;
  return (
    <table className="movements">
      <thead>
        <tr>
          <th scope="col">When</th>
          {showItem && <th scope="col">Item</th>}
          <th scope="col">What</th>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col" className="num">
            Quantity
          </th>
          {session.seesCosts && (
            <th scope="col" className="num">
              Value
            </th>
          )}
          <th scope="col">Document</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((m) => {
          const link = documentLink(m);
          return (
            <tr key={m.id}>
              <td>{formatDateTime(m.effective_at)}</td>
              {showItem && (
                <td>
                  <Link to={`/items/${m.item_id}`}>{itemLabel(items.get(m.item_id), m.item_id)}</Link>
                </td>
              )}
              <td>
                {m.kind}
                {m.reason ? ` · ${m.reason.replace(/_/g, ' ')}` : ''}
              </td>
              <td>{label(m.from_location_id)}</td>
              <td>{label(m.to_location_id)}</td>
              <td className="num">
                {m.direction === 'out' ? '−' : ''}
                <Qty value={m.qty} />
              </td>
              {session.seesCosts && (
                <td className="num">
                  <Money value={m.value} total />
                </td>
              )}
              <td>{link ? <Link to={link}>{m.document_type}</Link> : m.document_type}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function MovementsPage() {
  const { siteId } = useSite();
  const [params, setParams] = useSearchParams();
  const [itemName, setItemName] = useState<string | null>(null);
  const itemId = params.get('item_id') ?? '';
  const kind = params.get('kind') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const query = useInfiniteQuery({
    queryKey: ['movements', { siteId, itemId, kind, from, to }],
    queryFn: ({ pageParam }) =>
      api.get<Page<Movement>>('/api/v1/movements', {
        location_id: siteId ?? undefined,
        item_id: itemId || undefined,
        kind: kind || undefined,
        from: from ? new Date(`${from}T00:00:00`).toISOString() : undefined,
        to: to ? new Date(`${to}T23:59:59.999`).toISOString() : undefined,
        limit: 100,
        cursor: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section>
      <PageHeader title="Movement history" />
      <div className="filters">
        <ItemSearch
          label="Item"
          placeholder={itemName ?? 'Any item'}
          onPick={(item) => {
            setItemName(`${item.name} (${item.sku})`);
            set('item_id', item.id);
          }}
        />
        {itemId && (
          <button type="button" className="link" onClick={() => set('item_id', '')}>
            Any item
          </button>
        )}
        <label>
          <span>Kind</span>
          <select value={kind} onChange={(e) => set('kind', e.target.value)}>
            <option value="">Any</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>From</span>
          <input type="date" value={from} onChange={(e) => set('from', e.target.value)} />
        </label>
        <label>
          <span>To</span>
          <input type="date" value={to} onChange={(e) => set('to', e.target.value)} />
        </label>
      </div>
      <ErrorBanner error={query.error} />
      <MovementTable rows={rows} />
      {query.hasNextPage && (
        <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          {query.isFetchingNextPage ? 'Loading…' : 'Show older'}
        </button>
      )}
    </section>
  );
}
