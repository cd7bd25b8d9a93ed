import { describe, expect, it } from 'vitest';
import { gs1ElementString, productBarcode } from './barcodes.ts';
import { renderLabelsZpl, zplBarcode, zplField } from './label-zpl.ts';
import { unitPriceText } from './labels.service.ts';

const item = { id: 'itm_1', sku: 'OIL-1', name: 'Olive oil', base_unit: 'ea', price_micros: 6_000_000, unit_weight_mg: null, barcodes_json: '[]' };

describe('label pieces', () => {
  it('writes GS1 element strings with the GTIN-14, the expiry as YYMMDD and the lot last', () => {
    expect(gs1ElementString('5012345678900', 'L-7', '2027-03-09')).toBe('(01)05012345678900(17)270309(10)L-7');
    expect(gs1ElementString('012345678905', null, null)).toBe('(01)00012345678905');
  });

  it('picks EAN-13 for 13 digits, UPC-A for 12, and the SKU in Code 128 without a GTIN', () => {
    expect(productBarcode(['012345678905', '5012345678900'], 'X')).toEqual({ symbology: 'ean13', text: '5012345678900' });
    expect(productBarcode(['012345678905'], 'X')).toEqual({ symbology: 'upca', text: '012345678905' });
    expect(productBarcode([], 'TEA-1')).toEqual({ symbology: 'code128', text: 'TEA-1' });
  });

  it('works out the price per kg or litre from the base unit or the unit weight', () => {
    expect(unitPriceText({ ...item, base_unit: 'g', price_micros: 40_000 }, 'USD')).toBe('40.00 USD / kg');
    expect(unitPriceText({ ...item, base_unit: 'ml', price_micros: 12_000 }, 'EUR')).toBe('12.00 EUR / l');
    // 6.00 for 750 g is 8.00 a kilogram.
    expect(unitPriceText({ ...item, unit_weight_mg: 750_000 }, 'USD')).toBe('8.00 USD / kg');
    expect(unitPriceText(item, 'USD')).toBeNull();
  });

  it('escapes carets, tildes and underscores so a name cannot end a ZPL field', () => {
    expect(zplField('A^B~C_D')).toBe('A_5EB_7EC_5FD');
    const zpl = renderLabelsZpl([{ template: 'product', title: 'Evil ^XZ name', subtitle: 'S', price: null, unitPrice: null, barcode: null }]);
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
  });

  it('uses the ZPL command of each symbology', () => {
    expect(zplBarcode({ symbology: 'upca', text: '012345678905' }, 80)).toBe('^BUN,80,Y,N,Y^FD01234567890^FS');
    expect(zplBarcode({ symbology: 'qrcode', text: 'A-01' }, 80)).toBe('^BQN,2,4^FH^FDQA,A-01^FS');
    expect(zplBarcode({ symbology: 'datamatrix', text: 'A-01' }, 80)).toBe('^BXN,5,200^FH^FDA-01^FS');
  });
});

describe('barcodes that cannot be drawn', () => {
  it('refuse with label_request_invalid instead of failing the request', async () => {
    const { renderBarcodePng, isGs1Lot } = await import('./barcodes.ts');
    expect(isGs1Lot('LOT-42')).toBe(true);
    expect(isGs1Lot('LOT 42')).toBe(false);
    await expect(renderBarcodePng({ symbology: 'ean13', text: '12345' }, 10)).rejects.toMatchObject({ code: 'label_request_invalid', status: 422 });
  });
});
