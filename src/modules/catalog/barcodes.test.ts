import { describe, expect, it } from 'vitest';
import { barcodeLookupKey, gtinCheckDigit, isValidGtin, parseBarcode } from './barcodes.ts';

describe('GTIN check digits', () => {
  it('accepts real GTINs of every length', () => {
    expect(isValidGtin('96385074')).toBe(true); // GTIN-8
    expect(isValidGtin('036000291452')).toBe(true); // UPC-A
    expect(isValidGtin('4006381333931')).toBe(true); // EAN-13
    expect(isValidGtin('10614141000415')).toBe(true); // GTIN-14 (GS1 example)
  });

  it('computes the check digit from the body', () => {
    expect(gtinCheckDigit('400638133393')).toBe(1);
    expect(gtinCheckDigit('03600029145')).toBe(2);
  });

  it('refuses a GTIN-shaped code with a wrong check digit', () => {
    expect(parseBarcode('4006381333932')).toEqual({ ok: false, reason: 'check_digit' });
  });

  it('accepts other symbologies as given', () => {
    expect(parseBarcode('ABC-123')).toEqual({ ok: true, code: 'ABC-123', key: 'ABC-123', kind: 'other' });
    expect(parseBarcode('12345')).toMatchObject({ ok: true, kind: 'other' });
  });

  it('refuses whitespace and control characters', () => {
    expect(parseBarcode('AB C')).toEqual({ ok: false, reason: 'bad_characters' });
    expect(parseBarcode('AB\u0000')).toEqual({ ok: false, reason: 'bad_characters' });
  });

  it('finds a UPC-A and its EAN-13 form under one key', () => {
    expect(barcodeLookupKey('036000291452')).toBe(barcodeLookupKey('0036000291452'));
    expect(parseBarcode('036000291452')).toMatchObject({ key: '00036000291452' });
  });
});
