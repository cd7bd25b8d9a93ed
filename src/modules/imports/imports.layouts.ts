/**
 * The column layouts an import recognises, and the mapping from a file's columns to Stockroom's
 * fields. A layout is recognised from the header row alone: Stockroom's own export, Shopify's
 * product export (one row per variant, product fields on the first row of each Handle) and
 * Square's item library export (one row per variation, quantities per location in columns). Any
 * other file gets a mapping guessed from common column names, which the caller may correct.
 */

export const IMPORT_FIELDS = [
  'sku',
  'name',
  'description',
  'category',
  'base_unit',
  'price',
  'barcodes',
  'cost',
  'handle',
  'product_name',
  'option1_name',
  'option1_value',
  'option2_name',
  'option2_value',
  'option3_name',
  'option3_value',
  'variation_name',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export const LAYOUTS = ['stockroom', 'shopify', 'square', 'custom'] as const;
export type Layout = (typeof LAYOUTS)[number];

/** Which site a stock column counts; '' means the site the import was given (Shopify has one quantity). */
export interface StockColumn {
  column: string;
  site: string;
}

export interface ColumnMapping {
  fields: Partial<Record<ImportField, string>>;
  stock: StockColumn[];
}

const stockroomColumns: Record<ImportField, string | null> = {
  sku: 'SKU',
  name: 'Name',
  description: 'Description',
  category: 'Category',
  base_unit: 'Base unit',
  price: 'Price',
  barcodes: 'Barcodes',
  cost: 'Cost',
  handle: 'Product handle',
  product_name: 'Product name',
  option1_name: 'Option 1 name',
  option1_value: 'Option 1',
  option2_name: 'Option 2 name',
  option2_value: 'Option 2',
  option3_name: 'Option 3 name',
  option3_value: 'Option 3',
  variation_name: null,
};

const shopifyColumns: Record<ImportField, string | null> = {
  sku: 'Variant SKU',
  name: null,
  description: 'Body (HTML)',
  category: 'Type',
  base_unit: null,
  price: 'Variant Price',
  barcodes: 'Variant Barcode',
  cost: 'Cost per item',
  handle: 'Handle',
  product_name: 'Title',
  option1_name: 'Option1 Name',
  option1_value: 'Option1 Value',
  option2_name: 'Option2 Name',
  option2_value: 'Option2 Value',
  option3_name: 'Option3 Name',
  option3_value: 'Option3 Value',
  variation_name: null,
};

const squareColumns: Record<ImportField, string | null> = {
  sku: 'SKU',
  name: null,
  description: 'Description',
  category: 'Category',
  base_unit: null,
  price: 'Price',
  barcodes: 'GTIN',
  cost: 'Default Unit Cost',
  handle: null,
  product_name: 'Item Name',
  option1_name: 'Option Name 1',
  option1_value: 'Option Value 1',
  option2_name: 'Option Name 2',
  option2_value: 'Option Value 2',
  option3_name: 'Option Name 3',
  option3_value: 'Option Value 3',
  variation_name: 'Variation Name',
};

/** Column names other files use for our fields, lower case, for a guessed mapping. */
const synonyms: Partial<Record<ImportField, string[]>> = {
  sku: ['sku', 'item sku', 'product code', 'code', 'article number'],
  name: ['name', 'item name', 'product name', 'title', 'description 1'],
  description: ['description', 'long description'],
  category: ['category', 'type', 'product type', 'department'],
  base_unit: ['unit', 'base unit', 'uom', 'unit of measure'],
  price: ['price', 'retail price', 'selling price', 'sale price'],
  barcodes: ['barcode', 'barcodes', 'upc', 'ean', 'gtin', 'ean13'],
  cost: ['cost', 'unit cost', 'cost price', 'cost per item'],
};

export const STOCKROOM_STOCK_PREFIX = 'Stock ';

export function stockroomHeader(sites: readonly string[]): string[] {
  return [...IMPORT_FIELDS.map((f) => stockroomColumns[f]).filter((c): c is string => c !== null), ...sites.map((code) => `${STOCKROOM_STOCK_PREFIX}${code}`)];
}

export function stockroomColumnOf(field: ImportField): string | null {
  return stockroomColumns[field];
}

function lookup(headers: readonly string[]): Map<string, string> {
  return new Map(headers.map((h) => [h.trim().toLowerCase(), h]));
}

export function detectLayout(headers: readonly string[]): Layout {
  const has = lookup(headers);
  if (has.has('handle') && has.has('variant sku')) return 'shopify';
  if (has.has('item name') && has.has('variation name')) return 'square';
  if (has.has('sku') && has.has('name') && has.has('base unit')) return 'stockroom';
  return 'custom';
}

function fromTable(headers: readonly string[], table: Record<ImportField, string | null>): ColumnMapping['fields'] {
  const has = lookup(headers);
  const fields: ColumnMapping['fields'] = {};
  for (const field of IMPORT_FIELDS) {
    const column = table[field];
    const actual = column ? has.get(column.toLowerCase()) : undefined;
    if (actual) fields[field] = actual;
  }
  return fields;
}

function guessed(headers: readonly string[]): ColumnMapping['fields'] {
  const has = lookup(headers);
  const fields: ColumnMapping['fields'] = {};
  for (const [field, names] of Object.entries(synonyms) as Array<[ImportField, string[]]>) {
    const found = names.map((n) => has.get(n)).find((h) => h !== undefined);
    if (found) fields[field] = found;
  }
  return fields;
}

/** The mapping a layout implies for these headers: its fields, and its stock columns with their sites. */
export function mappingFor(layout: Layout, headers: readonly string[]): ColumnMapping {
  switch (layout) {
    case 'stockroom':
      return {
        fields: fromTable(headers, stockroomColumns),
        stock: headers.filter((h) => h.startsWith(STOCKROOM_STOCK_PREFIX)).map((h) => ({ column: h, site: h.slice(STOCKROOM_STOCK_PREFIX.length).trim() })),
      };
    case 'shopify':
      return { fields: fromTable(headers, shopifyColumns), stock: headers.includes('Variant Inventory Qty') ? [{ column: 'Variant Inventory Qty', site: '' }] : [] };
    case 'square': {
      // Square names each location in its quantity columns: "Current Quantity Main Street".
      const stock = headers.filter((h) => /^current quantity /i.test(h)).map((h) => ({ column: h, site: h.replace(/^current quantity /i, '').trim() }));
      return { fields: fromTable(headers, squareColumns), stock };
    }
    case 'custom':
      return { fields: guessed(headers), stock: headers.filter((h) => /^(qty|quantity|stock|on hand)$/i.test(h.trim())).map((h) => ({ column: h, site: '' })) };
  }
}
