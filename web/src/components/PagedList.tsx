import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { api, type Query } from '../api/client.ts';
import type { Page } from '../api/types.ts';
import { Empty, ErrorBanner, Loading } from './ui.tsx';
import { downloadCsv } from '../lib/csv.ts';

/**
 * The one paged list of the web app. Every list page (purchase orders, receipts, orders, sales,
 * movements, …) is a set of filters kept in the address bar and a table that pages by the API's
 * cursor to the very end: a page of rows, then "Show more" until the status line says the whole
 * list is shown. Nothing is cut off at a fixed number of rows.
 *
 * A list can read several sources one after the other (the "open" purchase orders are the sent
 * ones, then the part-received ones) and keep only the rows a filter the API lacks lets through
 * (the site chosen in the header); one click then reads server pages until it has a page of rows
 * to show, at most `maxReadsPerPage` of them, so a filter that matches little still moves on.
 */

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell(row: T): ReactNode;
  /** Right-aligned figures. */
  num?: boolean;
  className?(row: T): string | undefined;
}

export interface PagedSource {
  path: string;
  query?: Query;
}

interface Cursor {
  source: number;
  cursor?: string;
}

interface Chunk<T> {
  rows: T[];
  next: Cursor | null;
}

export const PAGE_SIZE = 100;
const maxReadsPerPage = 10;

/** Reads one page of a list: server pages from `sources`, in order, until `pageSize` rows pass `keep` or the list ends. */
export async function readChunk<T>(sources: readonly PagedSource[], from: Cursor, pageSize: number, keep?: (row: T) => boolean, signal?: AbortSignal): Promise<Chunk<T>> {
  const rows: T[] = [];
  let at: Cursor | null = from;
  for (let reads = 0; at && rows.length < pageSize && reads < maxReadsPerPage; reads += 1) {
    const source = sources[at.source]!;
    const page: Page<T> = await api.get<Page<T>>(source.path, { ...source.query, limit: pageSize, cursor: at.cursor }, signal);
    rows.push(...(keep ? page.data.filter(keep) : page.data));
    at = page.next_cursor ? { source: at.source, cursor: page.next_cursor } : at.source + 1 < sources.length ? { source: at.source + 1 } : null;
  }
  return { rows, next: at };
}

/** The rows of a paged list read so far, and the means to read the next page. */
export function usePagedRows<T>({ queryKey, sources, keep, pageSize = PAGE_SIZE, enabled = true }: { queryKey: QueryKey; sources: PagedSource | readonly PagedSource[]; keep?: (row: T) => boolean; pageSize?: number; enabled?: boolean }) {
  const list = Array.isArray(sources) ? (sources as readonly PagedSource[]) : [sources as PagedSource];
  const query = useInfiniteQuery({
    // The page's own key comes first, so invalidating ['purchase-orders'] after a change reaches the list too.
    queryKey: [...queryKey, 'paged'],
    queryFn: ({ pageParam, signal }) => readChunk<T>(list, pageParam, pageSize, keep, signal),
    initialPageParam: { source: 0 } as Cursor,
    getNextPageParam: (last) => last.next ?? undefined,
    enabled: enabled && list.length > 0,
  });
  const rows = query.data?.pages.flatMap((p) => p.rows) ?? [];
  return { rows, query };
}

/** The filters of a list page live in the address bar: shareable, and kept on reload and back. */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const get = (name: string, fallback = '') => params.get(name) ?? fallback;
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };
  return { params, get, set, key: params.toString() };
}

export function FilterSelect({ label, name, options, fallback = '' }: { label: string; name: string; options: ReadonlyArray<{ value: string; label: string }>; fallback?: string }) {
  const filters = useUrlFilters();
  return (
    <label>
      <span>{label}</span>
      <select value={filters.get(name, fallback)} onChange={(e) => filters.set({ [name]: e.target.value === fallback ? '' : e.target.value })}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A text or date filter; what is typed is kept as typed (a space between two words too), and trimmed where it is sent. */
export function FilterInput({ label, name, type = 'text', placeholder }: { label: string; name: string; type?: 'text' | 'date'; placeholder?: string }) {
  const filters = useUrlFilters();
  return (
    <label>
      <span>{label}</span>
      <input type={type} value={filters.get(name)} placeholder={placeholder} onChange={(e) => filters.set({ [name]: e.target.value })} />
    </label>
  );
}

/** A plain table of rows by columns; the paged list's body, and a short list's (the dashboard's recent movements). */
export function DataTable<T>({ columns, rows, rowKey, rowClass, testId, label }: { columns: ReadonlyArray<Column<T>>; rows: readonly T[]; rowKey(row: T): string; rowClass?(row: T): string | undefined; testId?: string; label?: string }) {
  return (
    <table data-testid={testId} aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.key} scope="col" className={c.num ? 'num' : undefined}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} className={rowClass?.(row)}>
            {columns.map((c) => (
              <td key={c.key} className={[c.num ? 'num' : '', c.className?.(row) ?? ''].join(' ').trim() || undefined}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface PagedListProps<T> {
  /** What the rows are, in the plural: "purchase orders". */
  noun: string;
  /** Everything the rows depend on (the filters, the site): a change starts the list again. */
  queryKey: QueryKey;
  sources: PagedSource | readonly PagedSource[];
  keep?: (row: T) => boolean;
  columns: ReadonlyArray<Column<T>>;
  rowKey(row: T): string;
  rowClass?(row: T): string | undefined;
  /** The page's filters, shown above the list. */
  filters?: ReactNode;
  empty?: ReactNode;
  pageSize?: number;
  testId?: string;
}

export function PagedList<T>({ noun, queryKey, sources, keep, columns, rowKey, rowClass, filters, empty, pageSize, testId }: PagedListProps<T>) {
  const { rows, query } = usePagedRows<T>({ queryKey, sources, keep, pageSize });
  return (
    <div className="paged-list">
      {filters && <div className="filters">{filters}</div>}
      <ErrorBanner error={query.error} />
      {query.isPending ? (
        <Loading />
      ) : rows.length === 0 && !query.hasNextPage ? (
        <Empty>{empty ?? `No ${noun} here.`}</Empty>
      ) : (
        <DataTable columns={columns} rows={rows} rowKey={rowKey} rowClass={rowClass} testId={testId} label={noun} />
      )}
      {!query.isPending && (
        <div className="list-foot">
          <span className="muted" role="status" aria-live="polite" data-testid="list-status">
            {query.hasNextPage ? `${rows.length.toLocaleString()} ${noun} shown; there are more.` : rows.length > 0 ? `All ${rows.length.toLocaleString()} ${noun} shown.` : ''}
          </span>
          {query.hasNextPage && (
            <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
              {query.isFetchingNextPage ? 'Loading…' : 'Show more'}
            </button>
          )}
          {rows.length > 0 && (
            <button type="button" className="ghost" title="The rows shown, as a CSV file" onClick={() => downloadCsv(`${noun.replaceAll(' ', '-')}.csv`, rows as unknown as Record<string, unknown>[])}>
              Export CSV
            </button>
          )}
        </div>
      )}
    </div>
  );
}
