import { api, fetchAll, type Query, withQuery } from '../api/client.ts';
import type { Item, Settings } from '../api/types.ts';
import { readCached, writeCached } from './idb-store.ts';
import { isUnreachable } from './send.ts';

/**
 * What a till and a scanner need to keep working without the server, kept in IndexedDB: every
 * active item (names, SKUs, barcodes, prices), the modifiers offered with the items this till has
 * sold, the shop's settings, each store's tax table (the rates the rules give there, so the
 * offline counter charges the tax the server would), the location tree and the open purchase orders. Each read that the
 * pages make online refreshes its copy; `refreshTill` refreshes the catalogue in the background.
 */

/** A GET that remembers its last answer and gives it back when the server cannot be reached. */
export async function cachedGet<T>(path: string, query?: Query): Promise<T> {
  const key = `get:${withQuery(path, query)}`;
  try {
    const fresh = await api.get<T>(path, query);
    void writeCached(key, fresh).catch(() => undefined);
    return fresh;
  } catch (error) {
    if (!isUnreachable(error)) throw error;
    const kept = await readCached<T>(key).catch(() => undefined);
    if (kept === undefined) throw error;
    return kept;
  }
}

/** Like cachedGet for every page of a list. */
export async function cachedFetchAll<T>(path: string, query: Query = {}, max = 5000): Promise<T[]> {
  const key = `all:${withQuery(path, query)}`;
  try {
    const fresh = await fetchAll<T>(path, query, max);
    void writeCached(key, fresh).catch(() => undefined);
    return fresh;
  } catch (error) {
    if (!isUnreachable(error)) throw error;
    const kept = await readCached<T[]>(key).catch(() => undefined);
    if (kept === undefined) throw error;
    return kept;
  }
}

export interface TillCatalogue {
  savedAt: string;
  items: Item[];
}

const TILL_KEY = 'till-catalogue';

/** Reads the whole active catalogue (at most 5000 items) and keeps it; also the settings, locations and the till's modifiers. */
export async function refreshTill(): Promise<TillCatalogue> {
  const items = await fetchAll<Item>('/api/v1/items', { status: 'active' }, 5000);
  const catalogue = { savedAt: new Date().toISOString(), items };
  await writeCached(TILL_KEY, catalogue);
  const [, locations] = await Promise.all([cachedGet<Settings>('/api/v1/settings'), cachedGet<{ data: { id: string; kind: string; site_type?: string | null }[] }>('/api/v1/locations')]);
  const stores = (locations?.data ?? []).filter((l) => l.kind === 'site' && l.site_type === 'store');
  for (const store of stores.slice(0, 50)) await cachedGet('/api/v1/tax-table', { site_id: store.id }).catch(() => undefined);
  // Modifiers belong mostly to made-to-order items (a latte); those and the items this till sold are kept.
  const sold = (await readCached<string[]>('modifier-items')) ?? [];
  const made = items.filter((i) => !i.stocked).map((i) => i.id);
  for (const id of [...new Set([...made, ...sold])].slice(0, 300)) await cachedGet(`/api/v1/items/${id}/modifier-groups`).catch(() => undefined);
  return catalogue;
}

export async function readTill(): Promise<TillCatalogue | undefined> {
  return readCached<TillCatalogue>(TILL_KEY).catch(() => undefined);
}

/**
 * The modifiers offered with an item, remembered for the background refresh. Offline, for an item
 * this till never looked up, none: if the item needed a choice, the server holds the sale when it
 * arrives and the banner shows it.
 */
export async function modifierGroupsOf<G>(itemId: string): Promise<{ data: G[] }> {
  const result = await cachedGet<{ data: G[] }>(`/api/v1/items/${itemId}/modifier-groups`).catch((error: unknown) => {
    if (isUnreachable(error)) return { data: [] as G[] };
    throw error;
  });
  const known = (await readCached<string[]>('modifier-items').catch(() => undefined)) ?? [];
  if (!known.includes(itemId)) void writeCached('modifier-items', [...known, itemId].slice(-500)).catch(() => undefined);
  return result;
}

/** The item a code names in the kept catalogue: a barcode exactly, else a SKU (case-insensitive). */
export function findInCatalogue(items: readonly Item[], code: string): Item | null {
  const trimmed = code.trim();
  const upper = trimmed.toUpperCase();
  return items.find((i) => i.barcodes.some((b) => b.code === trimmed)) ?? items.find((i) => i.sku.toUpperCase() === upper) ?? null;
}

/** Items whose name or SKU holds every word typed, as the server's search does roughly; at most `limit`. */
export function searchCatalogue(items: readonly Item[], q: string, limit = 8): Item[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return items.filter((i) => words.every((w) => i.name.toLowerCase().includes(w) || i.sku.toLowerCase().includes(w))).slice(0, limit);
}
