import { describe, expect, it } from 'vitest';
import { mappingFor } from './imports.layouts.ts';
import { restoreText, RowReader } from './imports.rows.ts';

const shopifyHeader = ['Handle', 'Title', 'Option1 Name', 'Option1 Value', 'Variant SKU', 'Variant Barcode', 'Variant Price', 'Variant Inventory Qty', 'Cost per item'];
const squareHeader = ['Token', 'Item Name', 'Variation Name', 'SKU', 'GTIN', 'Price', 'Option Name 1', 'Option Value 1', 'Current Quantity Main Street', 'Default Unit Cost'];

describe('reading rows', () => {
  it('reads a Shopify product without variants ("Default Title") as a single item named by its title', () => {
    const reader = new RowReader(shopifyHeader, mappingFor('shopify', shopifyHeader), 'shopify');
    const parsed = reader.read(2, ['tote', 'Canvas tote', 'Title', 'Default Title', 'TOTE-1', "'4006381333931", '$1,299.50', '3', '4.10']);
    expect(parsed).toMatchObject({ ok: true, row: { sku: 'TOTE-1', name: 'Canvas tote', product: null, price: 1_299_500_000, barcodes: ['4006381333931'], cost: 4_100_000, stock: [{ site: '', qty: 3000 }] } });
  });

  it('carries a Shopify product’s title and option names to the rows after its first', () => {
    const reader = new RowReader(shopifyHeader, mappingFor('shopify', shopifyHeader), 'shopify');
    reader.read(2, ['hat', 'Wool hat', 'Size', 'S', 'HAT-S', '', '10.00', '', '']);
    const second = reader.read(3, ['hat', '', '', 'M', 'HAT-M', '', '10.00', '', '']);
    expect(second).toMatchObject({ ok: true, row: { name: 'Wool hat - M', product: { handle: 'hat', name: 'Wool hat', optionNames: ['Size'], values: ['M'] } } });
  });

  it('reads Square variations as variants of the item, and its quantity columns by location name', () => {
    const reader = new RowReader(squareHeader, mappingFor('square', squareHeader), 'square');
    expect(mappingFor('square', squareHeader).stock).toEqual([{ column: 'Current Quantity Main Street', site: 'Main Street' }]);
    const parsed = reader.read(2, ['T1', 'Oat latte', 'Large', 'LATTE-L', '', '4.50', '', '', '', '']);
    expect(parsed).toMatchObject({ ok: true, row: { name: 'Oat latte - Large', product: { handle: 'oat-latte', optionNames: ['Variation'], values: ['Large'] } } });
    const regular = reader.read(3, ['T2', 'Tea', 'Regular', 'TEA', '', '2.00', '', '', '5', '0.40']);
    expect(regular).toMatchObject({ ok: true, row: { name: 'Tea', product: null, stock: [{ site: 'Main Street', qty: 5000 }] } });
  });

  it('takes off the apostrophe an export put before formula-like text, and only there', () => {
    expect(restoreText("'=SUM(A1)")).toBe('=SUM(A1)');
    expect(restoreText("'-10% off")).toBe('-10% off');
    expect(restoreText("'quoted'")).toBe("'quoted'");
  });
});
