import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PagedList, readChunk, type Column } from './PagedList.tsx';

interface Row {
  id: string;
  status: 'sent' | 'partially_received';
  site: string;
}

/** A cursor-paged list endpoint as the API serves one: `limit` rows after `cursor`, and the next cursor while more remain. */
function servePages(rows: readonly Row[]) {
  const asked: string[] = [];
  const fetchPage = async (input: RequestInfo | URL) => {
    const url = new URL(String(input), 'http://shop.test');
    asked.push(url.pathname + url.search);
    const status = url.searchParams.get('status');
    const matching = rows.filter((r) => !status || r.status === status);
    const limit = Number(url.searchParams.get('limit'));
    const start = Number(url.searchParams.get('cursor') ?? '0');
    const data = matching.slice(start, start + limit);
    const next = start + limit < matching.length ? String(start + limit) : null;
    return new Response(JSON.stringify({ data, next_cursor: next }), { headers: { 'content-type': 'application/json' } });
  };
  return { asked, fetchPage };
}

const rows: Row[] = Array.from({ length: 250 }, (_, i) => ({ id: `po_${String(i).padStart(3, '0')}`, status: i < 180 ? 'sent' : 'partially_received', site: i % 5 === 0 ? 'loc_b' : 'loc_a' }));
const columns: Column<Row>[] = [{ key: 'id', header: 'Number', cell: (r) => r.id }];
let server: ReturnType<typeof servePages>;
const realFetch = globalThis.fetch;

beforeEach(() => {
  server = servePages(rows);
  globalThis.fetch = server.fetchPage as typeof fetch;
});
afterEach(() => {
  cleanup();
  globalThis.fetch = realFetch;
});

function renderList(props: Partial<Parameters<typeof PagedList<Row>>[0]> = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <PagedList<Row> noun="purchase orders" queryKey={['test', JSON.stringify(props.queryKey ?? [])]} sources={{ path: '/api/v1/purchase-orders' }} columns={columns} rowKey={(r) => r.id} pageSize={100} {...props} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe('the paged list', () => {
  it('pages by the cursor to the very last row, and then says the whole list is shown', async () => {
    renderList();
    await screen.findByText('po_099');
    expect(screen.queryByText('po_100')).toBeNull();
    expect(screen.getByTestId('list-status').textContent).toBe('100 purchase orders shown; there are more.');
    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    await screen.findByText('po_199');
    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    await screen.findByText('po_249');
    expect(screen.getByTestId('list-status').textContent).toBe('All 250 purchase orders shown.');
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
    expect(screen.getAllByRole('row')).toHaveLength(251);
  });

  it('reads several sources one after the other ("open" is sent, then part-received)', async () => {
    const chunk = await readChunk<Row>([{ path: '/po', query: { status: 'sent' } }, { path: '/po', query: { status: 'partially_received' } }], { source: 0 }, 150);
    expect(chunk.rows.map((r) => r.id)).toEqual(rows.slice(0, 150).map((r) => r.id));
    const rest = await readChunk<Row>([{ path: '/po', query: { status: 'sent' } }, { path: '/po', query: { status: 'partially_received' } }], chunk.next!, 150);
    expect(rest.rows.map((r) => r.id)).toEqual(rows.slice(150).map((r) => r.id));
    expect(rest.next).toBeNull();
  });

  it('keeps reading until a filter the API lacks has let a page of rows through, and no further', async () => {
    const chunk = await readChunk<Row>([{ path: '/po' }], { source: 0 }, 20, (r) => r.site === 'loc_b');
    // One row in five is at site B: a page of 20 of them takes the first 100 rows, in five reads of 20.
    expect(chunk.rows).toHaveLength(20);
    expect(chunk.rows.every((r) => r.site === 'loc_b')).toBe(true);
    expect(server.asked).toHaveLength(5);
  });

  it('says there is nothing rather than showing an empty table', async () => {
    renderList({ keep: () => false, empty: 'No purchase orders here.', queryKey: ['none'] });
    await screen.findByText('No purchase orders here.');
    await waitFor(() => expect(screen.queryByRole('table')).toBeNull());
  });
});
