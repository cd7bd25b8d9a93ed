import { createItemBody, parseBarcode, handleFromName } from '../catalog/index.ts';
import { parseMoney } from '../../platform/money.ts';
import { parseQuantity } from '../../platform/quantity.ts';
import type { ColumnMapping, ImportField, Layout } from './imports.layouts.ts';

/**
 * One row of a file turned into what the import writes, validated by the API's own rules: the
 * item fields through the same zod schema as POST /items, barcodes by the same check-digit rule,
 * money and quantities by the same exact decimal parsers. Pure: nothing here reads the database.
 */

export interface RowError {
  row: number;
  column: string | null;
  code: string;
  message: string;
}

export interface ImportRow {
  row: number;
  sku: string;
  name: string;
  description?: string | null;
  category?: string | null;
  base_unit?: string;
  price?: number | null;
  barcodes?: string[];
  /** Cost per base unit of the opening stock. */
  cost: number | null;
  product: { handle: string; name: string; optionNames: string[]; values: string[] } | null;
  /** Opening stock per site reference ('' for the import's site), thousandths. */
  stock: Array<{ site: string; column: string; qty: number }>;
}

export type RowParse = { ok: true; row: ImportRow } | { ok: false; errors: RowError[] } | { ok: 'skip' };

/** A leading apostrophe is how our exports (and spreadsheets) keep formula-like text inert; it is not part of the value. */
export function restoreText(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** Product-level values Shopify writes only on the first row of each Handle, carried to the rows after it. */
interface CarriedProduct {
  name: string;
  optionNames: string[];
  description: string;
  category: string;
}

export class RowReader {
  private readonly index = new Map<string, number>();
  private readonly carried = new Map<string, CarriedProduct>();

  constructor(
    headers: readonly string[],
    private readonly mapping: ColumnMapping,
    private readonly layout: Layout,
  ) {
    headers.forEach((h, i) => this.index.set(h, i));
  }

  /** The columns the mapping names that the file does not have. */
  missingColumns(): string[] {
    const named = [...Object.values(this.mapping.fields), ...this.mapping.stock.map((s) => s.column)];
    return named.filter((c): c is string => c !== undefined && !this.index.has(c));
  }

  private cell(cells: readonly string[], field: ImportField): string | undefined {
    const column = this.mapping.fields[field];
    if (column === undefined) return undefined;
    return restoreText((cells[this.index.get(column)!] ?? '').trim());
  }

  read(rowNumber: number, cells: readonly string[]): RowParse {
    const errors: RowError[] = [];
    const fail = (field: ImportField | null, code: string, message: string, column?: string) =>
      errors.push({ row: rowNumber, column: column ?? (field ? (this.mapping.fields[field] ?? field) : null), code, message });
    const sku = this.cell(cells, 'sku') ?? '';
    const product = this.productOf(cells);
    const priceText = this.cell(cells, 'price');
    const barcodeText = this.cell(cells, 'barcodes');
    if (!sku && !priceText && !barcodeText && !(product?.values.length)) return { ok: 'skip' };
    // A single item (Shopify's "Default Title", Square's "Regular") is named by its product's name alone.
    const ownName = this.cell(cells, 'product_name') || this.carried.get(this.cell(cells, 'handle') ?? '')?.name || '';
    const name = this.cell(cells, 'name') || (product ? nameOf(product.name, product.values) : ownName);
    const body: Record<string, unknown> = { sku, name };
    // Shopify leaves the product's description and type empty on every row but its first.
    const carried = this.layout === 'shopify' ? this.carried.get(this.cell(cells, 'handle') ?? '') : undefined;
    const descriptionCell = this.cell(cells, 'description');
    const categoryCell = this.cell(cells, 'category');
    const description = descriptionCell === undefined ? undefined : descriptionCell || carried?.description || '';
    const category = categoryCell === undefined ? undefined : categoryCell || carried?.category || '';
    if (description !== undefined) body.description = description === '' ? null : description;
    if (category !== undefined) body.category = category === '' ? null : category;
    const baseUnit = this.cell(cells, 'base_unit');
    if (baseUnit) body.base_unit = baseUnit;
    if (priceText !== undefined) body.price = priceText === '' ? null : normaliseMoney(priceText);
    const barcodes = barcodeText === undefined ? undefined : barcodeText.split(/\s+/).filter(Boolean).map((b) => b.replace(/^'/, ''));
    if (barcodes) body.barcodes = barcodes;
    const parsed = createItemBody.safeParse(body);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? 'sku') as ImportField;
        fail(key === 'name' && !this.mapping.fields.name ? 'product_name' : key, issue.code === 'invalid_type' && issue.input === undefined ? 'required' : 'invalid', issue.message);
      }
    }
    barcodes?.forEach((code) => {
      const result = parseBarcode(code);
      if (!result.ok) fail('barcodes', result.reason, result.reason === 'check_digit' ? `${code} is GTIN-shaped but its check digit is wrong` : `${code} is not a barcode`);
    });
    const cost = this.money(cells, 'cost', fail);
    const stock = this.stockOf(rowNumber, cells, errors);
    if (errors.length || !parsed.success) return { ok: false, errors };
    const item = parsed.data;
    return {
      ok: true,
      row: {
        row: rowNumber,
        sku: item.sku,
        name: item.name,
        ...(description !== undefined ? { description: item.description ?? null } : {}),
        ...(category !== undefined ? { category: item.category ?? null } : {}),
        ...(baseUnit ? { base_unit: item.base_unit } : {}),
        ...(priceText !== undefined ? { price: item.price ?? null } : {}),
        ...(barcodes ? { barcodes: item.barcodes } : {}),
        cost,
        product,
        stock,
      },
    };
  }

  private money(cells: readonly string[], field: ImportField, fail: (f: ImportField, code: string, message: string) => void): number | null {
    const text = this.cell(cells, field);
    if (!text) return null;
    const parsed = parseMoney(normaliseMoney(text));
    if (!parsed.ok) {
      fail(field, parsed.reason, `${text} is not an amount with at most 6 decimals`);
      return null;
    }
    if (parsed.value < 0) {
      fail(field, 'negative', 'must not be negative');
      return null;
    }
    return parsed.value;
  }

  private stockOf(rowNumber: number, cells: readonly string[], errors: RowError[]): ImportRow['stock'] {
    const stock: ImportRow['stock'] = [];
    for (const { column, site } of this.mapping.stock) {
      const text = restoreText((cells[this.index.get(column)!] ?? '').trim());
      if (text === '') continue;
      const parsed = parseQuantity(text);
      if (!parsed.ok) {
        errors.push({ row: rowNumber, column, code: parsed.reason, message: `${text} is not a quantity with at most 3 decimals` });
        continue;
      }
      // A negative figure is what an export shows for a store sold below zero; it is refused (in
      // checkBatch) only where it would open stock, at a site where the item has no history yet.
      if (parsed.value !== 0) stock.push({ site, column, qty: parsed.value });
    }
    return stock;
  }

  /** The product a row is a variant of, or null for a single item (Shopify's "Default Title", Square's "Regular"). */
  private productOf(cells: readonly string[]): ImportRow['product'] {
    const productName = this.cell(cells, 'product_name') ?? '';
    const handleCell = this.cell(cells, 'handle') ?? '';
    const handle = handleCell || (this.layout === 'square' && productName ? handleFromName(productName) : '');
    if (!handle) return null;
    const names = [this.cell(cells, 'option1_name'), this.cell(cells, 'option2_name'), this.cell(cells, 'option3_name')].map((v) => v ?? '');
    const values = [this.cell(cells, 'option1_value'), this.cell(cells, 'option2_value'), this.cell(cells, 'option3_value')].map((v) => v ?? '');
    let carried = this.carried.get(handle);
    if (!carried || productName) {
      carried = { name: productName || carried?.name || '', optionNames: names.some(Boolean) ? names : (carried?.optionNames ?? names), description: this.cell(cells, 'description') ?? '', category: this.cell(cells, 'category') ?? '' };
      this.carried.set(handle, carried);
    }
    const variation = this.cell(cells, 'variation_name') ?? '';
    let optionNames = carried.optionNames.filter((_, i) => values[i] !== '');
    let optionValues = values.filter((v) => v !== '');
    if (optionValues.length === 0 && variation && variation !== 'Regular') {
      optionNames = ['Variation'];
      optionValues = [variation];
    }
    // Shopify marks a product without variants by one option "Title" with the value "Default Title".
    if (optionValues.length === 1 && optionValues[0] === 'Default Title') return null;
    if (optionValues.length === 0) return null;
    return { handle, name: carried.name, optionNames: optionNames.map((n, i) => n || `Option ${i + 1}`), values: optionValues };
  }
}

function nameOf(productName: string, values: readonly string[]): string {
  return values.length ? `${productName} - ${values.join(' / ')}` : productName;
}

/** "12" and "12.5" are amounts as the API takes them; a currency sign or thousands separators are not part of the amount. */
function normaliseMoney(text: string): string {
  return text.replace(/^[$€£]/, '').replace(/,(?=\d{3}(\D|$))/g, '');
}
