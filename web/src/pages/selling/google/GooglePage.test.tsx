import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SessionProvider, SiteProvider, useSession } from '../../../auth/session.tsx';
import { GooglePage } from './GooglePage.tsx';

const realFetch = globalThis.fetch;
let calls: Array<{ method: string; path: string; body: unknown }>;
let connected: boolean;

const merchant = () => ({
  connected,
  product_feed_issued: true,
  merchant_id: connected ? '1234567' : null,
  data_source: connected ? '7654321' : null,
  content_language: 'en',
  feed_label: 'US',
  client_email: connected ? 'stockroom@shop.iam.gserviceaccount.com' : null,
  api_base: null,
  last_push_at: null,
  push_not_before: null,
});

beforeEach(() => {
  calls = [];
  connected = false;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://shop.test');
    const method = init?.method ?? 'GET';
    calls.push({ method, path: url.pathname, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const p = url.pathname;
    if (p === '/api/v1/setup') return json({ open: false, signed_in: true });
    if (p === '/api/v1/session') return json({ kind: 'session', user: null, role: 'owner', sites: 'all', permissions: ['stock.read', 'items.read', 'settings.write', 'orders.read'], csrf_token: 't', expires_at: null });
    if (p === '/api/v1/locations') return json({ data: [{ id: 'loc_1', kind: 'site', code: 'MAIN', name: 'Main Street', site_id: 'loc_1', parent_id: null, holds_stock: false }] });
    if (p === '/api/v1/channels') return json({ data: [] });
    if (p === '/api/v1/google/local-feeds') return json({ data: [{ site_id: 'loc_1', store_code: 'main-street', channel_id: 'chn_1', created_at: '2026-11-02T08:00:00.000Z', updated_at: '2026-11-02T08:00:00.000Z' }] });
    if (p === '/api/v1/google/product-feed' && method === 'POST') return json({ feed_path: '/api/v1/google/products/SECRETSECRETSECRET12', updated_at: '2026-11-02T08:00:00.000Z' });
    if (p === '/api/v1/google/product-feed') return json({ issued: true, listed: 3, problems: [{ item_id: 'itm_9', sku: 'MUG-9', missing: ['image_link'] }] });
    if (p === '/api/v1/google/merchant' && method === 'PUT') {
      connected = true;
      return json(merchant());
    }
    if (p === '/api/v1/google/merchant') return json(merchant());
    if (p === '/api/v1/google/merchant/log') return json({ data: [{ id: 'csl_1', at: '2026-11-02T09:01:00.000Z', kind: 'throttled', ok: false, ref: null, detail: 'throttled by Google; pushing again in 60 s' }], next_cursor: null });
    return json({}, 404);
  }) as typeof fetch;
});
afterEach(() => {
  cleanup();
  globalThis.fetch = realFetch;
});

function Gate() {
  const { status } = useSession();
  return status === 'signed_in' ? (
    <SiteProvider>
      <GooglePage />
    </SiteProvider>
  ) : null;
}

it('shows the feeds, issues the product feed’s address once, connects a service account and shows the push log', { timeout: 30_000 }, async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <SessionProvider>
        <MemoryRouter initialEntries={['/selling/google']}>
          <Gate />
        </MemoryRouter>
      </SessionProvider>
    </QueryClientProvider>,
  );
  expect(await screen.findByText('main-street', {}, { timeout: 8000 })).toBeTruthy();
  expect(await screen.findByText(/3 item\(s\) listed on Google/)).toBeTruthy();
  expect(screen.getByText('MUG-9')).toBeTruthy();
  expect(await screen.findByText(/throttled by Google/)).toBeTruthy();
  fireEvent.click(screen.getByRole('button', { name: 'Issue a new address' }));
  expect(await screen.findByText(/\/api\/v1\/google\/products\/SECRETSECRETSECRET12/, {}, { timeout: 5000 })).toBeTruthy();
  fireEvent.change(screen.getByLabelText('Merchant Center account id'), { target: { value: '1234567' } });
  fireEvent.change(screen.getByLabelText('API data source id'), { target: { value: '7654321' } });
  fireEvent.change(screen.getByLabelText('Service account key (the JSON file, pasted)'), { target: { value: '{"client_email":"x"}' } });
  fireEvent.click(screen.getByRole('button', { name: 'Save' }));
  await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ merchant_id: '1234567', data_source: '7654321', content_language: 'en', feed_label: 'US', service_account_key: '{"client_email":"x"}' }));
  expect(await screen.findByText(/as stockroom@shop.iam.gserviceaccount.com/, {}, { timeout: 5000 })).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Push now' })).toBeTruthy();
});
