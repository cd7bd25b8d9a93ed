import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client.ts';
import type { Item } from '../api/types.ts';

/** Items by id for lists that only carry ids (movements, lines); each is fetched once and cached. */
export function useItemsById(ids: ReadonlyArray<string | null | undefined>): Map<string, Item> {
  const unique = useMemo(() => [...new Set(ids.filter((id): id is string => !!id))].sort(), [ids]);
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ['item', id],
      queryFn: () => api.get<Item>(`/api/v1/items/${id}`),
      staleTime: 5 * 60_000,
    })),
  });
  return useMemo(() => {
    const map = new Map<string, Item>();
    for (const r of results) if (r.data) map.set(r.data.id, r.data);
    return map;
    // useQueries answers a new array every render; the map changes only when some item's data does.
  }, [results.map((r) => r.dataUpdatedAt).join()]);
}

export function itemLabel(item: Item | undefined, id: string): string {
  return item ? `${item.name} (${item.sku})` : id;
}

/** Today as YYYY-MM-DD in the browser's time zone. */
export function localDate(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function daysAgo(n: number, from = new Date()): string {
  const d = new Date(from);
  d.setDate(d.getDate() - n);
  return localDate(d);
}

/** An item's name and SKU, linking to its page; read once per item and cached (lists carry only ids). */
export function useItemLabel(id: string): string {
  const item = useQuery({ queryKey: ['item', id], queryFn: () => api.get<Item>(`/api/v1/items/${id}`), staleTime: 5 * 60_000 });
  // While the item is on its way, a dash rather than its raw id.
  return item.isPending ? '…' : itemLabel(item.data, id);
}
