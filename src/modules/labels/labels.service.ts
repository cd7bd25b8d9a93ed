import { canSeeSite, reader, type ServiceContext } from '../../platform/context.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { formatMoney } from '../../platform/money.ts';
import { getItem } from '../catalog/index.ts';
import { getLocation } from '../locations/index.ts';
import { getReceipt } from '../purchasing/index.ts';
import { readSettings } from '../settings/index.ts';
import { gs1ElementString, isGs1Lot, productBarcode, type Barcode } from './barcodes.ts';
import type { LabelContent } from './label-templates.ts';
import { LabelError } from './labels.errors.ts';
import type { LabelsInput } from './labels.schema.ts';

/**
 * Works out what each label shows from items, bins or a receipt. Everything here is a price or a
 * code, never a cost, so staff may print it; a receipt or bin at a site the caller is not granted
 * is not found, as everywhere.
 */
export const LABELS_MAX = 2000;

interface ItemFacts {
  id: string;
  sku: string;
  name: string;
  base_unit: string;
  price_micros: number | null;
  unit_weight_mg: number | null;
  barcodes_json: string;
}

/** Price per kg or litre where the item is sold by measure (base unit kg/g/l/ml) or has a unit weight. */
export function unitPriceText(item: ItemFacts, currency: string): string | null {
  if (item.price_micros === null) return null;
  const price = Number(item.price_micros);
  const unit = item.base_unit.toLowerCase();
  const per: Record<string, [number, string]> = { kg: [1, 'kg'], g: [1000, 'kg'], l: [1, 'l'], ml: [1000, 'l'] };
  const found = per[unit];
  if (found) return `${formatMoney(price * found[0])} ${currency} / ${found[1]}`;
  if (item.unit_weight_mg && item.unit_weight_mg > 0) return `${formatMoney(mulDiv(price, 1_000_000, Number(item.unit_weight_mg)))} ${currency} / kg`;
  return null;
}

function gtinsOf(item: ItemFacts): string[] {
  return (JSON.parse(item.barcodes_json) as { code: string; kind: string }[]).filter((b) => b.kind === 'gtin').map((b) => b.code);
}

function chooseBarcode(choice: LabelsInput['barcode'], auto: Barcode, plain: string): Barcode {
  if (choice === 'auto') return auto;
  return { symbology: choice, text: choice === 'code128' ? plain : auto.symbology === 'gs1-128' ? auto.text : plain };
}

function itemLabel(item: ItemFacts, input: LabelsInput, currency: string, auto?: Barcode): LabelContent {
  const price = item.price_micros === null ? null : `${formatMoney(Number(item.price_micros))} ${currency}`;
  const barcode = chooseBarcode(input.barcode, auto ?? productBarcode(gtinsOf(item), item.sku), auto?.symbology === 'gs1-128' ? auto.text : item.sku);
  return {
    template: input.template,
    title: item.name,
    subtitle: item.sku,
    price: input.template === 'shelf_tag' ? price : null,
    unitPrice: input.template === 'shelf_tag' ? unitPriceText(item, currency) : null,
    barcode,
  };
}

function checkCount(count: number): void {
  if (count > LABELS_MAX) throw new LabelError('label_request_invalid', `At most ${LABELS_MAX} labels in one request; this asks for ${count}.`);
}

export async function buildLabels(ctx: ServiceContext, input: LabelsInput): Promise<LabelContent[]> {
  const { base_currency: currency } = await readSettings(reader(ctx));
  const source = input.source;
  if (source.kind === 'items') {
    checkCount(source.items.reduce((n, i) => n + i.copies, 0));
    const labels: LabelContent[] = [];
    for (const { item_id, copies } of source.items) {
      const item = await getItem(ctx, item_id);
      const label = itemLabel(item, input, currency);
      for (let i = 0; i < copies; i += 1) labels.push(label);
    }
    return labels;
  }
  if (source.kind === 'bins') {
    const labels: LabelContent[] = [];
    for (const id of source.bin_ids) {
      const bin = await getLocation(ctx, id);
      if (bin.kind === 'virtual' || bin.site_id === null || !canSeeSite(ctx.actor, bin.site_id)) {
        throw new LabelError('label_request_invalid', `${id} is not a bin, zone or site of yours.`, { errors: [{ field: 'body.source.bin_ids', code: 'invalid', message: 'must name a bin' }] });
      }
      const code = bin.full_code;
      labels.push({ template: input.template, title: code, subtitle: bin.name, price: null, unitPrice: null, barcode: chooseBarcode(input.barcode, { symbology: 'code128', text: code }, code) });
    }
    return labels;
  }
  const receipt = await getReceipt(ctx, source.receipt_id);
  const counts = receipt.lines.map((l) => (source.per === 'unit' ? Math.ceil(Number(l.qty_base) / 1000) : Math.ceil(Number(l.qty) / 1000)));
  checkCount(counts.reduce((a, b) => a + b, 0));
  const labels: LabelContent[] = [];
  for (const [index, line] of receipt.lines.entries()) {
    const item = await getItem(ctx, line.item_id);
    const gtin = gtinsOf(item)[0];
    const gs1 = gtin && (line.lot_code || line.expires_on) && (!line.lot_code || isGs1Lot(line.lot_code));
    const auto = gs1 ? { symbology: 'gs1-128' as const, text: gs1ElementString(gtin, line.lot_code, line.expires_on) } : productBarcode(gtinsOf(item), item.sku);
    const label = itemLabel(item, input, currency, auto);
    const withLot = line.lot_code ? { ...label, subtitle: `${item.sku} · lot ${line.lot_code}${line.expires_on ? ` · exp ${line.expires_on}` : ''}` } : label;
    for (let i = 0; i < counts[index]!; i += 1) labels.push(withLot);
  }
  if (labels.length === 0) throw new LabelError('label_request_invalid', 'The receipt has no lines to label.');
  return labels;
}
