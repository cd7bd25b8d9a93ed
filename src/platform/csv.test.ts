import { describe, expect, it } from 'vitest';
import { purchaseOrderCsv, type PurchaseOrderDocument } from '../modules/purchasing/purchase-order-export.ts';
import { csvCell, csvText } from './csv.ts';

describe('CSV cells', () => {
  // Every character a spreadsheet takes as the start of a formula (OWASP's list).
  const formulas: Array<[string, string, string]> = [
    ['=', '=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+', '+1+cmd|calc', "'+1+cmd|calc"],
    ['-', '-2+3', "'-2+3"],
    ['-', '-A1', "'-A1"],
    ['@', '@SUM(A1)', "'@SUM(A1)"],
    ['tab', '\t=1+1', "'\t=1+1"],
  ];
  for (const [prefix, value, cell] of formulas) {
    it(`makes a cell starting with ${prefix} text: ${JSON.stringify(value)}`, () => {
      expect(csvCell(value)).toBe(cell);
    });
  }

  it('makes a cell starting with a carriage return text, and quotes it for the line break', () => {
    expect(csvCell('\r=1+1')).toBe(`"'\r=1+1"`);
  });

  it('leaves negative and positive numbers alone, so they stay numbers', () => {
    for (const number of ['-1', '-12.50', '-0.001', '0', '42', '3.5']) expect(csvCell(number)).toBe(number);
  });

  it('escapes what only looks like a number', () => {
    const lookalikes: Array<[string, string]> = [
      ['-1e5', "'-1e5"],
      ['+5', "'+5"],
      ['-1.', "'-1."],
      ['--1', "'--1"],
      ['-1.5.2', "'-1.5.2"],
    ];
    for (const [value, cell] of lookalikes) {
      expect(csvCell(value)).toBe(cell);
    }
  });

  it('leaves text alone that a formula character appears in only later', () => {
    for (const value of ['a=b', 'x-1', 'orders@wax.example', 'Tea tin', '']) expect(csvCell(value)).toBe(value);
  });

  it('writes null as an empty cell', () => {
    expect(csvCell(null)).toBe('');
  });

  it('quotes a cell that holds a quote, a comma or a line break, doubling the quotes', () => {
    expect(csvCell('Peach candle, "large"')).toBe('"Peach candle, ""large"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('ends every row, the last one too, with CRLF', () => {
    expect(csvText([['a', 'b'], ['-1', '=c']])).toBe("a,b\r\n-1,'=c\r\n");
    expect(csvText([])).toBe('');
  });
});

describe('purchase order CSV', () => {
  it('escapes formulas in every text column a user or vendor typed, and leaves numbers alone', () => {
    const doc = {
      shopName: 'Shop',
      deliveryName: 'Store',
      deliveryAddress: null,
      withPrices: true,
      order: { number: 'PO-1', currency: 'USD', expected_on: null },
      lines: [{ lineNo: 1, vendorSku: '@V1', sku: '+SKU', name: '-cmd', qty: '2', unit: '=ea', unitPrice: '-1.50', amount: '-3.00', taxRate: '0', tax: '0.00' }],
    } as unknown as PurchaseOrderDocument;
    expect(purchaseOrderCsv(doc).split('\r\n')[1]).toBe("PO-1,1,'@V1,'+SKU,'-cmd,2,'=ea,USD,-1.50,-3.00,0,0.00,");
  });
});
