import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { QueuedWrite, QueueStore } from './queue.ts';

/**
 * The browser's own storage for the offline queue and for what a till needs to keep selling:
 * IndexedDB, so both survive a reload and a closed tab while the shop is offline. One database;
 * the queue keyed by an increasing number (the order writes were made in), the cache by name.
 */

interface OfflineDb extends DBSchema {
  queue: { key: number; value: QueuedWrite };
  cache: { key: string; value: unknown };
}

const DB_NAME = 'stockroom-offline';

let opened: Promise<IDBPDatabase<OfflineDb>> | null = null;

export function offlineDb(): Promise<IDBPDatabase<OfflineDb>> {
  opened ??= openDB<OfflineDb>(DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore('queue', { keyPath: 'seq', autoIncrement: true });
      db.createObjectStore('cache');
    },
  });
  return opened;
}

export function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined';
}

export class IdbQueueStore implements QueueStore {
  async add(entry: Omit<QueuedWrite, 'seq'>): Promise<QueuedWrite> {
    const db = await offlineDb();
    // The store assigns `seq` (autoIncrement on the key path): never reused, always increasing.
    const seq = await db.add('queue', entry as QueuedWrite);
    return { ...entry, seq };
  }

  async list(): Promise<QueuedWrite[]> {
    return (await offlineDb()).getAll('queue');
  }

  async put(entry: QueuedWrite): Promise<void> {
    const db = await offlineDb();
    const tx = db.transaction('queue', 'readwrite');
    // Only an entry still queued is updated: one removed by another tab's replay stays removed.
    if (await tx.store.get(entry.seq)) await tx.store.put(entry);
    await tx.done;
  }

  async remove(seq: number): Promise<void> {
    await (await offlineDb()).delete('queue', seq);
  }
}

/** A named value in the cache; undefined when never stored. */
export async function readCached<T>(key: string): Promise<T | undefined> {
  if (!hasIndexedDb()) return undefined;
  return (await (await offlineDb()).get('cache', key)) as T | undefined;
}

export async function writeCached(key: string, value: unknown): Promise<void> {
  if (!hasIndexedDb()) return;
  await (await offlineDb()).put('cache', value, key);
}

/** Signing out forgets what this browser kept of the shop; the queue stays, to be sent at the next sign-in. */
export async function clearCache(): Promise<void> {
  if (!hasIndexedDb()) return;
  await (await offlineDb()).clear('cache');
}
