import { z } from 'zod';
import { idInput } from '../../platform/http/fields.ts';

const itemsSource = z.strictObject({
  kind: z.literal('items'),
  items: z
    .array(z.strictObject({ item_id: idInput('itm'), copies: z.number().int().min(1).max(500).default(1) }))
    .min(1)
    .max(500),
});
const binsSource = z.strictObject({ kind: z.literal('bins'), bin_ids: z.array(idInput('loc')).min(1).max(500) });
const receiptSource = z.strictObject({
  kind: z.literal('receipt'),
  receipt_id: idInput('rcp'),
  per: z.enum(['unit', 'case']).default('unit').meta({ description: 'One label per base unit received, or one per received unit of the line (a case).' }),
});

export const labelsBody = z
  .strictObject({
    source: z.discriminatedUnion('kind', [itemsSource, binsSource, receiptSource]),
    template: z.enum(['shelf_tag', 'product', 'bin']).meta({ description: 'shelf_tag: name, price, unit price; product: name, SKU, barcode; bin: bin code and barcode.' }),
    layout: z.enum(['avery_5160', 'avery_l7160', 'single']).default('single'),
    format: z.enum(['pdf', 'zpl']).default('pdf'),
    barcode: z.enum(['auto', 'code128', 'qrcode', 'datamatrix']).default('auto').meta({ description: 'auto: the item’s GTIN (EAN-13/UPC-A), GS1-128 with lot and expiry for receipts, Code 128 otherwise.' }),
  })
  .meta({ id: 'LabelRequest' });
export type LabelsInput = z.output<typeof labelsBody>;

export const printLabelsOutput = z.object({ printer: z.string(), labels: z.number(), bytes: z.number() }).meta({ id: 'LabelPrintResult' });
