import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onSessionLost, request, setCsrfToken } from '../api/client.ts';
import type { Location, Session, Settings } from '../api/types.ts';
import { cachedGet } from '../offline/cache.ts';
import { clearCache, readCached, writeCached } from '../offline/idb-store.ts';
import { isUnreachable } from '../offline/send.ts';

type Status = 'loading' | 'signed_out' | 'setup' | 'signed_in';

interface SessionState {
  status: Status;
  session: Session | null;
  signIn(email: string, password: string): Promise<void>;
  setUp(body: { email: string; name: string; password: string }): Promise<void>;
  signOut(): Promise<void>;
  can(permission: string): boolean;
  /** Staff never see costs: the API leaves them out, and the pages leave out their columns. */
  seesCosts: boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>('loading');
  const [session, setSession] = useState<Session | null>(null);
  const queryClient = useQueryClient();

  const adopt = useCallback((s: Session) => {
    setCsrfToken(s.csrf_token);
    setSession(s);
    setStatus('signed_in');
    // Kept so the app opens signed in while the server cannot be reached (the till keeps selling).
    void writeCached('session', s).catch(() => undefined);
  }, []);

  /** The server cannot be reached: carry on as the person last signed in here, if anyone was. */
  const offlineStart = useCallback(async () => {
    const kept = await readCached<Session>('session').catch(() => undefined);
    if (kept) adopt(kept);
    else setStatus('signed_out');
  }, [adopt]);

  const signedOut = useCallback(async () => {
    setCsrfToken(null);
    setSession(null);
    queryClient.clear();
    try {
      const setup = await api.get<{ open: boolean }>('/api/v1/setup');
      setStatus(setup.open ? 'setup' : 'signed_out');
    } catch {
      setStatus('signed_out');
    }
  }, [queryClient]);

  useEffect(() => {
    onSessionLost(() => void signedOut());
    // Ask the public setup route first whether this browser is signed in: probing GET /session
    // when nobody is would answer 401, which the browser logs as an error on the sign-in page.
    api
      .get<{ open: boolean; signed_in?: boolean }>('/api/v1/setup')
      .then((setup) => {
        if (setup.open) return setStatus('setup');
        if (setup.signed_in === false) return setStatus('signed_out');
        return request<Session>('GET', '/api/v1/session', { quiet401: true }).then(adopt, (error: unknown) => void (isUnreachable(error) ? offlineStart() : signedOut()));
      })
      .catch((error: unknown) => void (isUnreachable(error) ? offlineStart() : signedOut()));
    return () => onSessionLost(null);
  }, [adopt, signedOut, offlineStart]);

  const value = useMemo<SessionState>(
    () => ({
      status,
      session,
      async signIn(email, password) {
        adopt(await request<Session>('POST', '/api/v1/session', { body: { email, password }, quiet401: true }));
      },
      async setUp(body) {
        adopt(await request<Session>('POST', '/api/v1/setup', { body, quiet401: true }));
      },
      async signOut() {
        await api.delete('/api/v1/session').catch(() => undefined);
        await clearCache().catch(() => undefined);
        await signedOut();
      },
      can: (permission) => session?.permissions.includes(permission) ?? false,
      seesCosts: session?.permissions.includes('costs.read') ?? false,
    }),
    [status, session, adopt, signedOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in session; only for pages shown after sign-in. */
export function useSignedIn(): Session & { can(p: string): boolean; seesCosts: boolean } {
  const { session, can, seesCosts } = useSession();
  if (!session) throw new Error('not signed in');
  return { ...session, can, seesCosts };
}

// ---- reference data every page uses: the location tree and the shop's settings

export function flattenLocations(nodes: Location[], out: Location[] = []): Location[] {
  for (const node of nodes) {
    out.push(node);
    if (node.children) flattenLocations(node.children, out);
  }
  return out;
}

export function useLocations() {
  const query = useQuery({
    queryKey: ['locations'],
    queryFn: () => cachedGet<{ data: Location[] }>('/api/v1/locations'),
    staleTime: 5 * 60_000,
  });
  return useMemo(() => {
    const tree = query.data?.data ?? [];
    const all = flattenLocations(tree);
    const byId = new Map(all.map((l) => [l.id, l]));
    const sites = tree.filter((l) => l.kind === 'site');
    return { tree, all, byId, sites, isLoading: query.isLoading };
  }, [query.data, query.isLoading]);
}

/** A location's name for people: "Main Street store", "WH/A-01"; virtual ones by their role. */
export function useLocationLabel(): (id: string | null | undefined) => string {
  const { byId } = useLocations();
  return useCallback(
    (id) => {
      if (!id) return '—';
      const virtual = /^loc_(vendor|customer|adjustment|scrap|production|transit)$/.exec(id);
      if (virtual) return virtual[1]!;
      const l = byId.get(id);
      if (!l) return id;
      return l.kind === 'site' ? l.name : `${l.full_code} (${l.name})`;
    },
    [byId],
  );
}

export function useSettings(): Settings {
  const query = useQuery({ queryKey: ['settings'], queryFn: () => cachedGet<Settings>('/api/v1/settings'), staleTime: 10 * 60_000 });
  return query.data ?? { shop_name: 'Stockroom', base_currency: 'USD', time_zone: 'UTC' };
}

// ---- the site the person is working at, chosen in the header and remembered per person

const SiteContext = createContext<{ siteId: string | null; setSiteId(id: string | null): void } | null>(null);

export function SiteProvider({ children }: { children: ReactNode }) {
  const session = useSignedIn();
  const { sites, isLoading } = useLocations();
  const storageKey = `stockroom.site.${session.user?.id ?? 'token'}`;
  const [chosen, setChosen] = useState<string | null | undefined>(() => {
    const stored = localStorage.getItem(storageKey);
    return stored === null ? undefined : stored === 'all' ? null : stored;
  });
  const allowedAll = session.sites === 'all';
  let siteId: string | null = chosen === undefined ? (allowedAll ? null : (sites[0]?.id ?? null)) : chosen;
  // A remembered site that is no longer granted falls back to the first one that is.
  if (!isLoading && siteId !== null && sites.length > 0 && !sites.some((s) => s.id === siteId)) siteId = allowedAll ? null : (sites[0]?.id ?? null);
  if (siteId === null && !allowedAll) siteId = sites[0]?.id ?? null;
  const setSiteId = useCallback(
    (id: string | null) => {
      localStorage.setItem(storageKey, id ?? 'all');
      setChosen(id);
    },
    [storageKey],
  );
  const value = useMemo(() => ({ siteId, setSiteId }), [siteId, setSiteId]);
  return <SiteContext.Provider value={value}>{children}</SiteContext.Provider>;
}

export function useSite() {
  const ctx = useContext(SiteContext);
  if (!ctx) throw new Error('useSite outside SiteProvider');
  return ctx;
}
