import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PrintLabels } from '../../components/PrintLabels.tsx';
import { PricingPreview } from './PricingPreview.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the pricing preview', () => {
  it('shows the cost, the prices and the margins before and after, and says which items have no cost', () => {
    // The money formatter asks for the shop's settings; this one answers with the default currency.
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ shop_name: 'Shop', base_currency: 'USD', time_zone: 'UTC' }), { headers: { 'content-type': 'application/json' } }));
    render(
      <QueryClientProvider client={new QueryClient()}>
      <PricingPreview
        result={{
          rule: 'markup 60%, up to 0.99 ending',
          applied: false,
          changed: 1,
          skipped: 1,
          lines: [
            { item_id: 'itm_1', sku: 'JAM', name: 'Plum jam', cost: '4.00', price_before: '5.00', price_after: '6.99', margin_before_percent: '20', margin_after_percent: '42.7754', outcome: 'changed' },
            { item_id: 'itm_2', sku: 'NEW', name: 'Uncosted', cost: null, price_before: '3.00', price_after: '3.00', margin_before_percent: null, margin_after_percent: null, outcome: 'no_cost' },
          ],
        }}
      />
      </QueryClientProvider>,
    );
    expect(screen.getByText('42.7754 %')).toBeTruthy();
    expect(screen.getByText('20 %')).toBeTruthy();
    expect(screen.getByText('no cost')).toBeTruthy();
    expect(screen.getByText(/1 to change · 1 without a cost/)).toBeTruthy();
  });
});

describe('print labels', () => {
  it('posts the source, template, layout and format and downloads the answer', async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return new Response(new Blob(['%PDF-1.3']), { headers: { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="labels-bin.pdf"' } });
    });
    URL.createObjectURL = () => 'blob:labels';
    URL.revokeObjectURL = () => undefined;
    render(
      <QueryClientProvider client={new QueryClient()}>
        <PrintLabels source={{ kind: 'receipt', receipt_id: 'rcp_1' }} />
      </QueryClientProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Print labels' }));
    fireEvent.change(screen.getByLabelText('Layout'), { target: { value: 'avery_l7160' } });
    fireEvent.change(screen.getByLabelText('How many'), { target: { value: 'case' } });
    fireEvent.click(screen.getByRole('button', { name: 'Download labels' }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toEqual({ source: { kind: 'receipt', receipt_id: 'rcp_1', per: 'case' }, template: 'product', layout: 'avery_l7160', format: 'pdf' });
  });
});
