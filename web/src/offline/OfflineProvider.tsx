import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { refreshTill } from './cache.ts';
import { hasIndexedDb, IdbQueueStore } from './idb-store.ts';
import { MemoryQueueStore, OfflineQueue, type NewQueuedWrite, type QueuedWrite, type ReplayReport } from './queue.ts';
import { httpSender } from './send.ts';

/**
 * The app's offline state: whether the server can be reached, the queue of writes waiting for it,
 * and the replay. The queue is sent when the browser comes back online, when someone signs in
 * (a lost session pauses it), every half minute while anything waits, and on demand. Only one
 * tab sends at a time (Web Locks), and each write carries its own Idempotency-Key, so a replay
 * that two tabs or a lost answer repeat posts nothing twice.
 */

export interface PostedNote {
  summary: string;
  /** What the server made of it: the receipt number, warnings such as an offline shortage. */
  detail: string;
}

interface OfflineState {
  online: boolean;
  entries: QueuedWrite[];
  waiting: number;
  held: QueuedWrite[];
  needsSignIn: boolean;
  replaying: boolean;
  posted: PostedNote[];
  enqueue(write: NewQueuedWrite): Promise<QueuedWrite>;
  replay(): Promise<void>;
  retry(seq: number): Promise<void>;
  discard(seq: number): Promise<void>;
  /** A request failed for want of a connection: show the app as offline until the next success. */
  markOffline(): void;
}

const OfflineContext = createContext<OfflineState | null>(null);
const REPLAY_EVERY_MS = 30_000;
const REFRESH_EVERY_MS = 5 * 60_000;

const queue = new OfflineQueue(hasIndexedDb() ? new IdbQueueStore() : new MemoryQueueStore());

/** Holds the cross-tab lock while replaying, where the browser has Web Locks. */
async function exclusively(run: () => Promise<void>): Promise<void> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return run();
  await locks.request('stockroom-offline-replay', { ifAvailable: true }, async (lock) => {
    if (lock) await run();
  });
}

export function noteOf(entry: QueuedWrite, response: unknown): PostedNote {
  const r = (response ?? {}) as { number?: string; warnings?: Array<{ code: string; qty?: number; on_hand?: number }> };
  const warnings = (r.warnings ?? []).map((w) =>
    w.code === 'offline_shortage' ? `${w.qty} more than the records held: booked as shortage, count it` : w.code === 'negative_balance' ? `stock now ${w.on_hand}: count it` : w.code,
  );
  return { summary: entry.summary, detail: [r.number ? `posted as ${r.number}` : 'posted', ...warnings].join('; ') };
}

export function OfflineProvider({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const queryClient = useQueryClient();
  const [online, setOnline] = useState(() => (typeof navigator === 'undefined' ? true : navigator.onLine));
  const [entries, setEntries] = useState<QueuedWrite[]>([]);
  const [needsSignIn, setNeedsSignIn] = useState(false);
  const [replaying, setReplaying] = useState(false);
  const [posted, setPosted] = useState<PostedNote[]>([]);
  const signedIn = status === 'signed_in';
  const signedInRef = useRef(signedIn);
  signedInRef.current = signedIn;

  const reload = useCallback(async () => setEntries(await queue.list()), []);

  const apply = useCallback(
    (report: ReplayReport) => {
      if (report.posted.length) {
        setPosted((p) => [...report.posted.map((x) => noteOf(x.entry, x.response)), ...p].slice(0, 50));
        void queryClient.invalidateQueries();
      }
      setNeedsSignIn(report.stoppedBy === 'signed_out');
      if (report.stoppedBy === 'offline') setOnline(false);
      else if (report.posted.length || report.held.length) setOnline(true);
    },
    [queryClient],
  );

  const replay = useCallback(async () => {
    if (!signedInRef.current) return;
    setReplaying(true);
    try {
      await exclusively(async () => {
        apply(await queue.replay(httpSender((path, body, key) => api.post(path, body, { idempotencyKey: key }))));
      });
    } finally {
      setReplaying(false);
      await reload();
    }
  }, [apply, reload]);

  useEffect(() => {
    void reload();
    const up = () => {
      setOnline(true);
      void replay();
    };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, [reload, replay]);

  // A sign-in (first, or again after the session ran out) resumes the queue and refreshes the catalogue.
  useEffect(() => {
    if (!signedIn) return;
    void replay();
    if (navigator.onLine) void refreshTill().catch(() => undefined);
    const replayTimer = setInterval(() => void replay(), REPLAY_EVERY_MS);
    const refreshTimer = setInterval(() => {
      if (navigator.onLine) void refreshTill().catch(() => undefined);
    }, REFRESH_EVERY_MS);
    return () => {
      clearInterval(replayTimer);
      clearInterval(refreshTimer);
    };
  }, [signedIn, replay]);

  const value = useMemo<OfflineState>(() => {
    const waiting = entries.filter((e) => e.state === 'waiting').length;
    return {
      online,
      entries,
      waiting,
      held: entries.filter((e) => e.state === 'held'),
      needsSignIn,
      replaying,
      posted,
      async enqueue(write) {
        const entry = await queue.enqueue(write);
        await reload();
        return entry;
      },
      replay,
      async retry(seq) {
        await queue.retry(seq);
        await replay();
      },
      async discard(seq) {
        await queue.discard(seq);
        await reload();
      },
      markOffline: () => setOnline(false),
    };
  }, [online, entries, needsSignIn, replaying, posted, replay, reload]);
  return <OfflineContext.Provider value={value}>{children}</OfflineContext.Provider>;
}

export function useOffline(): OfflineState {
  const state = useContext(OfflineContext);
  if (!state) throw new Error('useOffline outside OfflineProvider');
  return state;
}
