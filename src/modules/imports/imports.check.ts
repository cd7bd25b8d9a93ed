import { canSeeSite, type Actor } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/transaction.ts';
import { priceFieldErrors } from '../../platform/money.ts';
import { barcodeLookupKey } from '../catalog/index.ts';
import type { ImportRow, RowError } from './imports.rows.ts';

/**
 * The checks of a batch of rows that need the database or the rest of the file: a SKU or a
 * barcode given twice in the file, a barcode that belongs to another item, a base unit that an
 * existing item would change, a price finer than the currency, a stock column naming a site that
 * does not exist or that the caller is not granted. Run for every batch in the dry run and again
 * before a batch is applied.
 */

export interface SiteRef {
  id: string;
  code: string;
  name: string;
}

export class FileState {
  readonly skus = new Set<string>();
  readonly barcodes = new Map<string, string>();
  readonly variants = new Set<string>();
}

export class SiteResolver {
  private readonly byRef = new Map<string, SiteRef>();

  constructor(
    sites: readonly SiteRef[],
    private readonly defaultSite: SiteRef | null,
  ) {
    for (const site of sites) {
      this.byRef.set(site.id, site);
      this.byRef.set(site.code.toUpperCase(), site);
      this.byRef.set(`name:${site.name.toLowerCase()}`, site);
    }
  }

  resolve(ref: string): SiteRef | null {
    if (ref === '') return this.defaultSite;
    return this.byRef.get(ref) ?? this.byRef.get(ref.toUpperCase()) ?? this.byRef.get(`name:${ref.toLowerCase()}`) ?? null;
  }
}

export async function loadSites(db: Executor, actor: Actor): Promise<SiteRef[]> {
  const rows = await db.selectFrom('locations').select(['id', 'code', 'name', 'site_id']).where('kind', '=', 'site').where('status', '=', 'active').execute();
  return rows.filter((r) => canSeeSite(actor, r.id)).map(({ id, code, name }) => ({ id, code, name }));
}

export async function checkBatch(db: Executor, rows: readonly ImportRow[], state: FileState, sites: SiteResolver, currency: string): Promise<RowError[]> {
  const errors: RowError[] = [];
  const existing = new Map(
    (await db.selectFrom('items').select(['sku_key', 'base_unit']).where('sku_key', 'in', rows.length ? rows.map((r) => r.sku.toUpperCase()) : ['']).execute()).map((r) => [r.sku_key, r]),
  );
  const keys = rows.flatMap((r) => (r.barcodes ?? []).map((b) => barcodeLookupKey(b) ?? b));
  const owners = new Map(
    keys.length
      ? (await db.selectFrom('item_barcodes as b').innerJoin('items as i', 'i.id', 'b.item_id').select(['b.code_key', 'i.sku_key']).where('b.code_key', 'in', keys).execute()).map((r) => [r.code_key, r.sku_key])
      : [],
  );
  const history = await stockHistory(db, rows);
  for (const row of rows) {
    const fail = (column: string | null, code: string, message: string) => errors.push({ row: row.row, column, code, message });
    const skuKey = row.sku.toUpperCase();
    if (state.skus.has(skuKey)) fail('sku', 'duplicate', `SKU ${row.sku} is on an earlier row of the file`);
    state.skus.add(skuKey);
    for (const code of row.barcodes ?? []) {
      const key = barcodeLookupKey(code) ?? code;
      const inFile = state.barcodes.get(key);
      if (inFile !== undefined && inFile !== skuKey) fail('barcodes', 'duplicate', `barcode ${code} is given to another SKU earlier in the file`);
      state.barcodes.set(key, skuKey);
      const owner = owners.get(key);
      if (owner !== undefined && owner !== skuKey) fail('barcodes', 'barcode_taken', `barcode ${code} belongs to the item ${owner}`);
    }
    const current = existing.get(skuKey);
    if (current && row.base_unit !== undefined && row.base_unit !== current.base_unit) fail('base_unit', 'locked_field', `the item's base unit is ${current.base_unit}; an import does not change it`);
    for (const e of priceFieldErrors([{ field: 'price', micros: row.price }], currency)) fail('price', e.code, e.message);
    for (const s of row.stock) {
      const site = sites.resolve(s.site);
      if (!site) fail(s.column, s.site === '' ? 'site_required' : 'unknown_site', s.site === '' ? 'give the site this quantity is at (site=…)' : `no site ${s.site} that you may stock`);
      else if (s.qty < 0 && !history.has(`${skuKey}\u0000${site.id}`)) fail(s.column, 'negative', 'opening stock cannot be negative');
    }
    if (row.product) {
      const key = `${row.product.handle.toLowerCase()}\u0000${row.product.values.join('\u0000')}`;
      if (state.variants.has(key)) fail(null, 'duplicate_variant', `${row.product.handle} has the variant ${row.product.values.join(' / ')} on an earlier row`);
      state.variants.add(key);
    }
  }
  return errors;
}

/** "SKU key, site id" of the rows' items that already have stock history at the sites their negative figures name. */
async function stockHistory(db: Executor, rows: readonly ImportRow[]): Promise<Set<string>> {
  const wanted = rows.filter((r) => r.stock.some((s) => s.qty < 0)).map((r) => r.sku.toUpperCase());
  if (wanted.length === 0) return new Set();
  const found = await db
    .selectFrom('balances as b')
    .innerJoin('items as i', 'i.id', 'b.item_id')
    .innerJoin('locations as l', 'l.id', 'b.location_id')
    .select(['i.sku_key', 'l.site_id'])
    .distinct()
    .where('i.sku_key', 'in', wanted)
    .where('l.site_id', 'is not', null)
    .execute();

  return new Set(found.map((f) => `${f.sku_key}\u0000${f.site_id}`));
}
