/**
 * Barcodes: GTINs (8, 12, 13 or 14 digits) carry a check digit that we verify; anything else is
 * accepted as given. A GTIN is stored under its 14-digit form, so a UPC-A scanned as 12 digits
 * and the same code printed as an EAN-13 find the same item.
 */

const gtinLengths = new Set([8, 12, 13, 14]);
const barcodeText = /^[\x21-\x7e]{1,64}$/;

export type BarcodeKind = 'gtin' | 'other';

export type BarcodeParse =
  | { ok: true; code: string; key: string; kind: BarcodeKind }
  | { ok: false; reason: 'bad_characters' | 'check_digit' };

export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i -= 1, weight = 4 - weight) sum += Number(body[i]) * weight;
  return (10 - (sum % 10)) % 10;
}

export function isGtinShaped(code: string): boolean {
  return /^\d+$/.test(code) && gtinLengths.has(code.length);
}

export function isValidGtin(code: string): boolean {
  return isGtinShaped(code) && gtinCheckDigit(code.slice(0, -1)) === Number(code[code.length - 1]);
}

/** For storing a new barcode: a GTIN-shaped code must have a valid check digit. */
export function parseBarcode(raw: string): BarcodeParse {
  const code = raw.trim();
  if (!barcodeText.test(code)) return { ok: false, reason: 'bad_characters' };
  if (isGtinShaped(code)) {
    if (!isValidGtin(code)) return { ok: false, reason: 'check_digit' };
    return { ok: true, code, key: code.padStart(14, '0'), kind: 'gtin' };
  }
  return { ok: true, code, key: code, kind: 'other' };
}

/** For looking a scan up: the key it would be stored under, or null if it cannot be a barcode. */
export function barcodeLookupKey(raw: string): string | null {
  const code = raw.trim();
  if (!barcodeText.test(code)) return null;
  return isValidGtin(code) ? code.padStart(14, '0') : code;
}
