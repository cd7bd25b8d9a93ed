import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImportPage } from './ImportPage.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const job = (over: object) => ({ id: 'imp_1', kind: 'vendors', layout: 'stockroom', dry_run: true, status: 'done', rows_total: 2, rows_done: 2, created: 0, updated: 0, unchanged: 0, error_count: 0, errors: [], failure: null, ...over });

describe('the import page', () => {
  it('imports what was chosen: a vendors file is dry-run and applied at its own route, without the catalogue mapping step', async () => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${url}`);
      if (url.startsWith('/api/v1/locations')) return Response.json({ data: [] });
      if (url.startsWith('/api/v1/imports/imp_1')) return Response.json(job({ dry_run: false, created: 2 }));
      if (url.includes('mode=apply')) return Response.json(job({ dry_run: false, status: 'running', rows_done: 0 }), { status: 202 });
      return Response.json(job({}));
    });
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter>
          <ImportPage />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    fireEvent.change(screen.getByLabelText('What the file holds'), { target: { value: 'vendors' } });
    expect(screen.getByText(/Columns, as its export writes them: Name, Email/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/File/), { target: { files: [new File(['Name\nAcme\n'], 'vendors.csv', { type: 'text/csv' })] } });
    fireEvent.click(screen.getByRole('button', { name: 'Dry run' }));
    await waitFor(() => expect(calls.some((c) => c.startsWith('POST /api/v1/imports/vendors?mode=dry_run'))).toBe(true));
    fireEvent.click(await screen.findByRole('button', { name: 'Apply' }));
    await screen.findByText(/Done: 2 created/);
    expect(calls.some((c) => c.startsWith('POST /api/v1/imports/vendors?mode=apply'))).toBe(true);
    expect(calls.some((c) => c.includes('/preview'))).toBe(false);
    expect(screen.getAllByRole('link', { name: 'CSV' }).map((a) => a.getAttribute('href'))).toContain('/api/v1/exports/vendor-prices?format=csv');
    expect(screen.getAllByRole('link', { name: 'CSV' }).map((a) => a.getAttribute('href'))).toContain('/api/v1/exports/units?format=csv');
    expect(screen.getAllByRole('option').map((o) => o.getAttribute('value'))).toContain('units');
  });
});
