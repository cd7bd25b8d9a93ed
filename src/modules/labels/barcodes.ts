import { LabelError } from './labels.errors.ts';

/**
 * Which barcode a label carries and how it is drawn. The symbology names follow bwip-js's
 * encoder ids; the same choice drives the ZPL command (see label-zpl.ts), so a PDF label and a
 * Zebra label of one item scan the same.
 */
export type Symbology = 'ean13' | 'upca' | 'code128' | 'gs1-128' | 'qrcode' | 'datamatrix';

export interface Barcode {
  symbology: Symbology;
  /** What the encoder gets: digits for EAN/UPC, GS1 element strings as `(01)…(17)…(10)…`, text otherwise. */
  text: string;
}

/** The GS1 element string of a trade item with its lot and expiry; AI 10 (variable length) goes last. */
export function gs1ElementString(gtin: string, lot: string | null, expiresOn: string | null): string {
  let text = `(01)${gtin.padStart(14, '0')}`;
  if (expiresOn) text += `(17)${expiresOn.slice(2, 4)}${expiresOn.slice(5, 7)}${expiresOn.slice(8, 10)}`;
  if (lot) text += `(10)${lot.slice(0, 20)}`;
  return text;
}

/** GS1's character set 82, the only characters AI 10 (batch/lot) may hold, 1 to 20 of them. */
const cset82Lot = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

/** Whether a lot code can travel in AI 10; one that cannot is printed as text beside a plain barcode. */
export function isGs1Lot(lot: string): boolean {
  return cset82Lot.test(lot);
}

/** The barcode of a product label: its GTIN as EAN-13 or UPC-A, else its SKU as Code 128. */
export function productBarcode(gtins: readonly string[], sku: string): Barcode {
  const ean = gtins.find((g) => g.length === 13);
  if (ean) return { symbology: 'ean13', text: ean };
  const upc = gtins.find((g) => g.length === 12);
  if (upc) return { symbology: 'upca', text: upc };
  return { symbology: 'code128', text: sku };
}

/** A PNG of the barcode, black on white with a quiet zone, for the PDF. */
export async function renderBarcodePng(barcode: Barcode, heightMm: number): Promise<Buffer> {
  try {
    return await drawPng(barcode, heightMm);
  } catch (error) {
    // bwip-js refuses data its symbology cannot carry; say so rather than answer 500.
    throw new LabelError('label_request_invalid', `${barcode.text} cannot be drawn as ${barcode.symbology}: ${(error as Error).message.replace(/^bwipp\.\w+#\d+: /, '')}`);
  }
}

/** bwip-js is loaded with the first barcode, not when the server starts. */
async function drawPng(barcode: Barcode, heightMm: number): Promise<Buffer> {
  const { default: bwipjs } = await import('bwip-js');
  const square = barcode.symbology === 'qrcode' || barcode.symbology === 'datamatrix';
  const linear = barcode.symbology === 'ean13' || barcode.symbology === 'upca';
  return bwipjs.toBuffer({
    bcid: barcode.symbology,
    text: barcode.text,
    scale: 3,
    ...(square ? {} : { height: Math.max(5, Math.round(heightMm)) }),
    includetext: !square,
    textxalign: 'center',
    ...(linear ? { guardwhitespace: true } : {}),
    backgroundcolor: 'FFFFFF',
    paddingwidth: 10,
    paddingheight: 4,
  });
}
