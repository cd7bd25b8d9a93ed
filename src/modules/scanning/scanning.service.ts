import { reader, type ServiceContext } from '../../platform/context.ts';
import type { ItemRow, LotRow } from '../../platform/db/schema.ts';
import { findItemByBarcode, findItemBySku } from '../catalog/index.ts';
import { listLotsOfItem } from '../ledger/index.ts';
import { looksLikeGs1, parseGs1, stripSymbologyIdentifier, type Gs1Element, type Gs1Problem } from './gs1.ts';

/**
 * What a scanned string is: a GS1 element string (an item by its GTIN, with the lot, expiry,
 * serial and count it carries), a barcode of an item, or an item's SKU typed or printed on a
 * shelf label. Not finding anything is an answer (`kind: 'unknown'`), not an error.
 */

export interface ScanResolution {
  input: string;
  kind: 'gs1' | 'barcode' | 'sku' | 'unknown';
  symbology: string | null;
  item: ItemRow | null;
  /** What matched the item: the GTIN, the barcode or the SKU. */
  matched: string | null;
  gtin: string | null;
  lotCode: string | null;
  expiresOn: string | null;
  serial: string | null;
  count: number | null;
  /** The lot or serial record, when the item already has one with that code. */
  lot: LotRow | null;
  elements: Gs1Element[];
  unknownAis: Gs1Element[];
  problems: Gs1Problem[];
}

export const SCAN_MAX_LENGTH = 512;

export async function resolveScan(ctx: ServiceContext, scanned: string): Promise<ScanResolution> {
  const db = reader(ctx);
  // Scanners end a read with CR or LF; the group separator is data and stays.
  const input = scanned.replace(/^[\r\n\t ]+|[\r\n\t ]+$/g, '');
  const empty: ScanResolution = {
    input,
    kind: 'unknown',
    symbology: null,
    item: null,
    matched: null,
    gtin: null,
    lotCode: null,
    expiresOn: null,
    serial: null,
    count: null,
    lot: null,
    elements: [],
    unknownAis: [],
    problems: [],
  };
  if (looksLikeGs1(input)) return resolveGs1(ctx, input, empty);

  const { body } = stripSymbologyIdentifier(input);
  const byBarcode = await findItemByBarcode(db, body);
  if (byBarcode) return { ...empty, kind: 'barcode', item: byBarcode.item, matched: byBarcode.matched };
  const bySku = await findItemBySku(db, body);
  if (bySku) return { ...empty, kind: 'sku', item: bySku, matched: bySku.sku };
  // An element string sent without its symbology identifier still starts with an AI.
  if (/^(01|02)\d{14}/.test(body) && body.length > 16) {
    const attempt = await resolveGs1(ctx, body, empty);
    if (attempt.item) return attempt;
  }
  return empty;
}

async function resolveGs1(ctx: ServiceContext, input: string, empty: ScanResolution): Promise<ScanResolution> {
  const parsed = parseGs1(input, ctx.clock.now());
  const found = parsed.gtin ? await findItemByBarcode(reader(ctx), parsed.gtin) : undefined;
  const item = found?.item ?? null;
  const code = item?.tracking === 'serial' ? parsed.serial : parsed.lot;
  const lot = item && code ? ((await listLotsOfItem(reader(ctx), item.id)).find((l) => l.code === code) ?? null) : null;
  return {
    ...empty,
    input,
    kind: 'gs1',
    symbology: parsed.symbology,
    item,
    matched: found?.matched ?? null,
    gtin: parsed.gtin,
    lotCode: parsed.lot,
    expiresOn: parsed.expiresOn,
    serial: parsed.serial,
    count: parsed.count,
    lot,
    elements: parsed.elements,
    unknownAis: parsed.unknown,
    problems: parsed.problems,
  };
}
