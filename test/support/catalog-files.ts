import { csvText } from '../../src/platform/csv.ts';
import { gtinCheckDigit } from '../../src/modules/catalog/index.ts';

/**
 * Generated catalogue files for the import tests and the bench: a Shopify product export (one row
 * per variant, product fields on the first row of each Handle, an image-only row now and then, as
 * Shopify writes them) with chosen rows broken in known ways.
 */

export const SHOPIFY_HEADER = [
  'Handle', 'Title', 'Body (HTML)', 'Vendor', 'Type', 'Tags', 'Published',
  'Option1 Name', 'Option1 Value', 'Option2 Name', 'Option2 Value', 'Option3 Name', 'Option3 Value',
  'Variant SKU', 'Variant Grams', 'Variant Inventory Tracker', 'Variant Inventory Qty', 'Variant Inventory Policy',
  'Variant Fulfillment Service', 'Variant Price', 'Variant Compare At Price', 'Variant Requires Shipping', 'Variant Taxable',
  'Variant Barcode', 'Image Src', 'Cost per item', 'Status',
];

const sizes = ['S', 'M', 'L', 'XL'];
const colours = ['Red', 'Navy', 'Green', 'Grey', 'Black'];

/** A valid EAN-13 from a number (prefix 20, in-store range, so it collides with no real product). */
export function ean13(n: number, prefix = '20'): string {
  const body = `${prefix}${String(n).padStart(10, '0')}`.slice(0, 12);
  return `${body}${gtinCheckDigit(body)}`;
}

export type Breakage = 'check_digit' | 'price' | 'missing_sku' | 'duplicate_sku' | 'quantity';

export interface ShopifyFile {
  csv: string;
  /** Variant rows (not counting the header or image-only rows). */
  variants: number;
  /** The spreadsheet row numbers (header is row 1) broken, with how. */
  broken: Map<number, Breakage>;
  skus: string[];
}

export function shopifyExport(options: { variants: number; tag: string; broken?: ReadonlyMap<number, Breakage>; barcodeBase?: number }): ShopifyFile {
  const rows: string[][] = [SHOPIFY_HEADER];
  const broken = new Map<number, Breakage>();
  const skus: string[] = [];
  const perProduct = sizes.length * colours.length;
  let made = 0;
  for (let p = 0; made < options.variants; p += 1) {
    const handle = `${options.tag}-tee-${p}`.toLowerCase();
    for (let v = 0; v < perProduct && made < options.variants; v += 1) {
      const size = sizes[Math.floor(v / colours.length)]!;
      const colour = colours[v % colours.length]!;
      const first = v === 0;
      const sku = `${options.tag}-T${p}-${size}-${colour}`.toUpperCase();
      const row = [
        handle, first ? `Tee ${p}` : '', first ? `<p>Cotton tee ${p}</p>` : '', first ? 'Acme' : '', first ? 'Shirts' : '', '', first ? 'TRUE' : '',
        first ? 'Size' : '', size, first ? 'Colour' : '', colour, '', '',
        sku, '200', 'shopify', String(made % 7), 'deny', 'manual', `${15 + (p % 10)}.${made % 2 ? '50' : '00'}`, '', 'TRUE', 'TRUE',
        ean13((options.barcodeBase ?? 0) + made), '', `${6 + (p % 5)}.25`, 'active',
      ];
      const rowNumber = rows.length + 1;
      const breakage = options.broken?.get(made);
      if (breakage) {
        broken.set(rowNumber, breakage);
        if (breakage === 'check_digit') row[23] = `${row[23]!.slice(0, 12)}${(Number(row[23]!.slice(12)) + 1) % 10}`;
        if (breakage === 'price') row[19] = '12.5x';
        if (breakage === 'missing_sku') row[13] = '';
        if (breakage === 'duplicate_sku') row[13] = skus[0]!;
        if (breakage === 'quantity') row[16] = '1.2345';
      }
      rows.push(row);
      if (!breakage) skus.push(sku);
      made += 1;
      // Shopify writes a row per extra image, with only the handle and the image.
      if (first && p % 3 === 0) rows.push([handle, ...SHOPIFY_HEADER.slice(1).map((h) => (h === 'Image Src' ? `https://cdn.example/${handle}-2.jpg` : ''))]);
    }
  }
  return { csv: csvText(rows), variants: made, broken, skus };
}
