import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotificationBell } from './NotificationBell.tsx';

/** The notifications API as the server answers it: two unread, one read; marking read changes the count. */
function serveNotifications() {
  const items = [
    { id: 'ntf_3', alert_id: 'alr_3', rule: 'low_stock', site_id: 'loc_a', title: 'Low stock: Oat milk at Main', body: 'Oat milk has 4 l on hand.', created_at: '2026-11-02T09:00:00.000Z', read_at: null as string | null },
    { id: 'ntf_2', alert_id: 'alr_2', rule: 'negative_stock', site_id: 'loc_a', title: 'Negative stock: Cups at Main', body: 'Count it.', created_at: '2026-11-02T08:00:00.000Z', read_at: null as string | null },
    { id: 'ntf_1', alert_id: 'alr_1', rule: 'low_stock', site_id: 'loc_a', title: 'Low stock: Beans at Main', body: '…', created_at: '2026-11-01T08:00:00.000Z', read_at: '2026-11-01T09:00:00.000Z' as string | null },
  ];
  const posted: unknown[] = [];
  const fetchApi = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://shop.test');
    if (url.pathname === '/api/v1/notifications/read') {
      const body = JSON.parse(String(init?.body));
      posted.push(body);
      for (const n of items) if (!n.read_at && (body.all || body.ids.includes(n.id))) n.read_at = '2026-11-02T10:00:00.000Z';
      return new Response(JSON.stringify({ marked: 1 }), { headers: { 'content-type': 'application/json' } });
    }
    return new Response(JSON.stringify({ data: items, next_cursor: null, unread_count: items.filter((n) => !n.read_at).length }), { headers: { 'content-type': 'application/json' } });
  };
  return { posted, fetchApi };
}

const realFetch = globalThis.fetch;
let server: ReturnType<typeof serveNotifications>;

beforeEach(() => {
  server = serveNotifications();
  globalThis.fetch = server.fetchApi as typeof fetch;
});
afterEach(() => {
  cleanup();
  globalThis.fetch = realFetch;
});

function renderBell() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <NotificationBell />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe('the notification bell', () => {
  it('shows the unread count, lists the latest, and marks one read when it is chosen', async () => {
    renderBell();
    const bell = await screen.findByRole('button', { name: 'Notifications, 2 unread' });
    fireEvent.click(bell);
    expect(screen.getByText('Low stock: Oat milk at Main')).toBeTruthy();
    fireEvent.click(screen.getByText('Negative stock: Cups at Main'));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Notifications, 1 unread' })).toBeTruthy());
    expect(server.posted).toEqual([{ ids: ['ntf_2'] }]);
  });

  it('clears the count with Mark all read', async () => {
    renderBell();
    fireEvent.click(await screen.findByRole('button', { name: 'Notifications, 2 unread' }));
    fireEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Notifications, 0 unread' })).toBeTruthy());
    expect(server.posted).toEqual([{ all: true }]);
  });
});
