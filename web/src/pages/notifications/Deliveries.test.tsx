import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DeliveriesPage } from './Deliveries.tsx';

const delivery = {
  id: 'dlv_01',
  channel: 'webhook',
  destination: 'whs_01',
  event_id: 'evt_01',
  event_type: 'order.created',
  ordering_key: null,
  status: 'dead',
  attempts: 8,
  next_attempt_at: null,
  created_at: '2026-11-02T09:00:00.000Z',
  delivered_at: null,
  last_error: 'the receiver answered 500',
  provider_ref: null,
  summary: 'order.created',
};

const realFetch = globalThis.fetch;
let calls: Array<{ method: string; path: string; body: unknown }>;
let paused = false;

beforeEach(() => {
  calls = [];
  paused = false;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://shop.test');
    const method = init?.method ?? 'GET';
    calls.push({ method, path: url.pathname + url.search, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    if (url.pathname === '/api/v1/deliveries') return json({ data: [delivery], next_cursor: null });
    if (url.pathname === '/api/v1/delivery-destinations') {
      return json({ data: [{ destination: 'whs_01', channel: 'webhook', pending: 0, dead: 1, delivered: 4, paused, paused_at: paused ? '2026-11-02T09:05:00.000Z' : null, pause_reason: null }] });
    }
    if (url.pathname === '/api/v1/delivery-destinations/pause') {
      paused = true;
      return json({});
    }
    return new Response('{}', { status: 404 });
  }) as typeof fetch;
});
afterEach(() => {
  cleanup();
  globalThis.fetch = realFetch;
});

it('lists deliveries with their last error and pauses a destination', async () => {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={['/admin/deliveries?status=dead']}>
        <DeliveriesPage />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  await screen.findByText('the receiver answered 500');
  expect(calls.some((c) => c.method === 'GET' && c.path.startsWith('/api/v1/deliveries?') && c.path.includes('status=dead'))).toBe(true);
  fireEvent.click(await screen.findByRole('button', { name: 'Pause' }));
  await waitFor(() => expect(calls.find((c) => c.method === 'POST')).toEqual({ method: 'POST', path: '/api/v1/delivery-destinations/pause', body: { destination: 'whs_01' } }));
  await screen.findByRole('button', { name: 'Resume' });
});
