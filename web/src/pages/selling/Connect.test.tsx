import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SessionProvider, useSession } from '../../auth/session.tsx';
import { ConnectPage } from './Connect.tsx';

const realFetch = globalThis.fetch;
let calls: Array<{ method: string; path: string; body: unknown }>;
let connected: boolean;

const connection = {
  id: 'con_1',
  channel_id: 'chn_1',
  platform: 'shopify',
  status: 'active',
  shop_name: 'Corner Shop',
  base_url: null,
  credentials: { shop_domain: 'corner.myshopify.com', location_id: 'gid://shopify/Location/1', access_token: true, webhook_secret: true },
  webhook_path: '/api/v1/integrations/con_1/webhooks',
  last_tested_at: '2026-11-02T09:00:00.000Z',
  last_test_error: null,
  resting_until: null,
  created_at: '2026-11-02T08:00:00.000Z',
};

beforeEach(() => {
  calls = [];
  connected = false;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://shop.test');
    const method = init?.method ?? 'GET';
    calls.push({ method, path: url.pathname + url.search, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const p = url.pathname;
    if (p === '/api/v1/setup') return json({ open: false, signed_in: true });
    if (p === '/api/v1/session') return json({ kind: 'session', user: null, role: 'manager', sites: 'all', permissions: ['orders.read', 'channels.write'], csrf_token: 't', expires_at: null });
    if (p === '/api/v1/integrations/platforms') return json({ data: [{ platform: 'shopify', fields: [{ name: 'shop_domain', label: 'Shop domain', secret: false }, { name: 'access_token', label: 'Access token', secret: true }] }] });
    if (p === '/api/v1/integrations/connections' && method === 'POST') {
      connected = true;
      return json(connection, 201);
    }
    if (p === '/api/v1/integrations/connections') return json({ data: connected ? [connection] : [] });
    if (p === '/api/v1/integrations/connections/con_1/variants') return json({ data: [{ variant_ref: 'gid://shopify/InventoryItem/7', title: 'Blue mug', sku: 'MUG-BLUE', barcode: null, item_id: null, matched_by: null, pushed_qty: null, pushed_at: null, push_owed: false }], next_cursor: null });
    if (p === '/api/v1/integrations/connections/con_1/unmapped-items') return json({ data: [{ id: 'itm_1', sku: 'MUG-B', name: 'Mug, blue' }], next_cursor: null });
    if (p === '/api/v1/integrations/connections/con_1/sync-log') return json({ data: [{ id: 'csl_1', at: '2026-11-02T09:01:00.000Z', kind: 'webhook_refused', ok: false, ref: null, detail: 'webhook refused: bad_signature' }], next_cursor: null });
    if (p === '/api/v1/integrations/connections/con_1/mappings') return json({});
    return json({}, 404);
  }) as typeof fetch;
});
afterEach(() => {
  cleanup();
  globalThis.fetch = realFetch;
});

function Gate() {
  const { status } = useSession();
  return status === 'signed_in' ? <ConnectPage /> : null;
}

it('connects a channel with the platform’s fields, then maps an upstream variant and shows the sync log', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <SessionProvider>
        <MemoryRouter initialEntries={['/selling/channels/chn_1/connect']}>
          <Routes>
            <Route path="/selling/channels/:id/connect" element={<Gate />} />
          </Routes>
        </MemoryRouter>
      </SessionProvider>
    </QueryClientProvider>,
  );
  fireEvent.change(await screen.findByLabelText('Shop domain'), { target: { value: 'corner.myshopify.com' } });
  fireEvent.change(screen.getByLabelText('Access token'), { target: { value: 'shpat_secret' } });
  fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
  await waitFor(() =>
    expect(calls.find((c) => c.method === 'POST')).toEqual({
      method: 'POST',
      path: '/api/v1/integrations/connections',
      body: { channel_id: 'chn_1', platform: 'shopify', credentials: { shop_domain: 'corner.myshopify.com', access_token: 'shpat_secret' } },
    }),
  );
  await screen.findByText('webhook refused: bad_signature');
  fireEvent.change(await screen.findByLabelText('Item for Blue mug'), { target: { value: 'itm_1' } });
  fireEvent.click(screen.getByRole('button', { name: 'Link' }));
  await waitFor(() => expect(calls.find((c) => c.path.endsWith('/mappings'))?.body).toEqual({ variant_ref: 'gid://shopify/InventoryItem/7', item_id: 'itm_1' }));
});
