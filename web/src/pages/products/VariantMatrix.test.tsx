import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImportErrors } from '../imports/ImportErrors.tsx';
import { MappingTable } from '../imports/MappingTable.tsx';
import { parseOptionLines, type Product } from './types.ts';
import { VariantMatrix } from './VariantMatrix.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const variant = (options: string[], price: string) => ({ item_id: `itm_${options.join('')}`, sku: `G-${options.join('-')}`, name: 'g', options, price, barcodes: [], status: 'active' as const });
const gloves: Product = {
  id: 'pdt_1',
  handle: 'gloves',
  name: 'Gloves',
  description: null,
  category: null,
  status: 'active',
  options: [{ name: 'Size', values: ['M', 'L'] }, { name: 'Colour', values: ['Red', 'Navy'] }],
  variants: [variant(['M', 'Red'], '9.00'), variant(['M', 'Navy'], '9.00'), variant(['L', 'Red'], '11.00')],
};

describe('the variant matrix', () => {
  it('shows a row per size and a column per colour, a dash where no variant exists, and sets a row price', async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return new Response(JSON.stringify(gloves), { headers: { 'content-type': 'application/json' } });
    });
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter>
          <VariantMatrix product={gloves} />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(screen.getByText('G-L-Red')).toBeTruthy();
    expect(screen.getByText('11.00')).toBeTruthy();
    expect(screen.getAllByText('—')).toHaveLength(1);
    fireEvent.change(screen.getByLabelText('Price of every L'), { target: { value: '12.00' } });
    fireEvent.click(screen.getAllByRole('button', { name: 'Set' })[1]!);
    await waitFor(() => expect(bodies).toEqual([{ option: 'Size', value: 'L', price: '12.00' }]));
  });

  it('reads options typed one per line', () => {
    expect(parseOptionLines('Size: S, M\n\nColour: Red')).toEqual([{ name: 'Size', values: ['S', 'M'] }, { name: 'Colour', values: ['Red'] }]);
  });
});

describe('the import page parts', () => {
  it('lists every dry-run error with its row and column, and lets a column be chosen for a field', () => {
    const changes: unknown[] = [];
    render(
      <>
        <ImportErrors job={{ id: 'imp_1', layout: 'shopify', dry_run: true, status: 'done', rows_total: 30, rows_done: 30, created: 0, updated: 0, unchanged: 0, error_count: 1, failure: null, errors: [{ row: 5, column: 'Variant Barcode', code: 'check_digit', message: 'wrong check digit' }] }} />
        <MappingTable headers={['Code', 'Title']} mapping={{ fields: { name: 'Title' }, stock: [] }} onChange={(m) => changes.push(m)} />
      </>,
    );
    expect(screen.getByText('Variant Barcode')).toBeTruthy();
    expect(screen.getByText('check_digit')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Column for sku'), { target: { value: 'Code' } });
    expect(changes).toEqual([{ fields: { name: 'Title', sku: 'Code' }, stock: [] }]);
  });
});
