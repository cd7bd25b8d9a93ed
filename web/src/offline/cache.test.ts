import { describe, expect, it } from 'vitest';
import type { Item } from '../api/types.ts';
import { findInCatalogue, searchCatalogue } from './cache.ts';

const item = (sku: string, name: string, barcodes: string[] = []): Item =>
  ({ id: `itm_${sku}`, sku, name, barcodes: barcodes.map((code) => ({ code, kind: 'gtin' as const })), price: '1.00', status: 'active' }) as unknown as Item;

describe('kept catalogue', () => {
  const items = [item('TEA-GRN', 'Green tea', ['4006381333931']), item('MUG', 'Stoneware mug'), item('12345678', 'Numbered thing')];

  it('finds an item by barcode, then by SKU whatever the case, and nothing for an unknown code', () => {
    expect(findInCatalogue(items, ' 4006381333931 ')?.sku).toBe('TEA-GRN');
    expect(findInCatalogue(items, 'mug')?.sku).toBe('MUG');
    expect(findInCatalogue(items, '12345678')?.sku).toBe('12345678');
    expect(findInCatalogue(items, 'NOPE')).toBeNull();
  });

  it('searches names and SKUs for every word typed', () => {
    expect(searchCatalogue(items, 'green').map((i) => i.sku)).toEqual(['TEA-GRN']);
    expect(searchCatalogue(items, 'stone mug').map((i) => i.sku)).toEqual(['MUG']);
    expect(searchCatalogue(items, '  ')).toEqual([]);
  });
});
