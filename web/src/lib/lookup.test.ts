import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { looksLikeBarcode, lookUpItem } from './lookup.ts';

/** The three routes a look-up may use, answering as the API does for a shop with one mug (barcode 4006381333931, SKU MUG-STONE) and one numeric SKU. */
const mug = { id: 'itm_mug', sku: 'MUG-STONE', name: 'Stoneware mug' };
const numbered = { id: 'itm_num', sku: '12345678', name: 'Numbered SKU' };
let asked: string[] = [];
const realFetch = globalThis.fetch;
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  asked = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://shop.test');
    asked.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    if (url.pathname === '/api/v1/items/by-barcode/4006381333931') return json(200, mug);
    if (url.pathname.startsWith('/api/v1/items/by-barcode/')) return json(404, { status: 404, code: 'item_not_found', detail: 'No item has this barcode.' });
    if (url.pathname === '/api/v1/scan/resolve') {
      const code = (JSON.parse(String(init?.body)) as { code: string }).code;
      const item = code === 'MUG-STONE' ? mug : code === '12345678' ? numbered : null;
      return json(200, { kind: item ? 'sku' : 'unknown', item });
    }
    if (url.pathname === `/api/v1/items/${mug.id}`) return json(200, mug);
    if (url.pathname === `/api/v1/items/${numbered.id}`) return json(200, numbered);
    return json(404, { status: 404, code: 'not_found', detail: 'No such route.' });
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
});

describe('looking a scanned or typed code up', () => {
  it('tells a barcode from a SKU by its shape', () => {
    expect(looksLikeBarcode('4006381333931')).toBe(true);
    expect(looksLikeBarcode(' 96385074 ')).toBe(true);
    expect(looksLikeBarcode('MUG-STONE')).toBe(false);
    expect(looksLikeBarcode('1234567')).toBe(false);
    expect(looksLikeBarcode('(01)09506000134352(10)LOT1')).toBe(false);
  });

  it('finds a barcode in one read', async () => {
    expect(await lookUpItem('4006381333931')).toMatchObject({ id: mug.id });
    expect(asked).toEqual(['GET /api/v1/items/by-barcode/4006381333931']);
  });

  it('finds a typed SKU without first asking for a barcode of that name (no 404)', async () => {
    expect(await lookUpItem('MUG-STONE')).toMatchObject({ id: mug.id });
    expect(asked).toEqual(['POST /api/v1/scan/resolve', `GET /api/v1/items/${mug.id}`]);
  });

  it('still finds a numeric SKU that looks like a barcode, and says null for an unknown code', async () => {
    expect(await lookUpItem('12345678')).toMatchObject({ id: numbered.id });
    expect(await lookUpItem('NOPE')).toBeNull();
  });
});
