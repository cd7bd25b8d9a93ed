import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import type { TaxRateRow } from '../../platform/db/schema.ts';
import { PlatformError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { getItem } from '../catalog/index.ts';
import { getLocation, isVisibleTo } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';
import { TaxError } from './tax.errors.ts';
import { categoryKey, loadTaxTable, type TaxTable } from './tax-resolution.ts';
import type { CreateTaxRateInput, SetTaxRuleInput, UpdateTaxRateInput } from './tax.schema.ts';

/**
 * Tax set up once: named rates shared by the shop, rules that give a rate to a site, a category,
 * or a category at one site, and items exempt from tax. The counter and channel orders read them
 * (tax-resolution.ts); nobody types a rate at the till.
 */

export interface TaxRateRecord extends TaxRateRow {
  rules: number;
}

export interface TaxRuleRecord {
  siteId: string | null;
  category: string | null;
  taxRateId: string;
  name: string;
  ratePpm: number;
  updatedAt: number;
}

export async function listTaxRates(ctx: ServiceContext): Promise<TaxRateRecord[]> {
  const db = reader(ctx);
  const [rates, uses] = await Promise.all([
    db.selectFrom('tax_rates').selectAll().orderBy('name').orderBy('id').limit(1000).execute(),
    db.selectFrom('tax_rules').select(['tax_rate_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('tax_rate_id').execute(),
  ]);
  const count = new Map(uses.map((u) => [u.tax_rate_id, Number(u.n)]));
  return rates.map((r) => ({ ...r, rate_ppm: Number(r.rate_ppm), rules: count.get(r.id) ?? 0 }));
}

async function findRate(ctx: ServiceContext, id: string): Promise<TaxRateRecord> {
  const row = await reader(ctx).selectFrom('tax_rates').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new TaxError('tax_rate_not_found', `No tax rate ${id}.`, { extra: { tax_rate_id: id } });
  const uses = await reader(ctx).selectFrom('tax_rules').select((eb) => eb.fn.countAll<number>().as('n')).where('tax_rate_id', '=', id).executeTakeFirstOrThrow();
  return { ...row, rate_ppm: Number(row.rate_ppm), rules: Number(uses.n) };
}

export async function createTaxRate(ctx: ServiceContext, input: CreateTaxRateInput): Promise<TaxRateRecord> {
  return inTransaction(ctx, async (trx) => {
    const now = ctx.clock.now();
    const row: TaxRateRow = { id: newId('txr', now), name: input.name, rate_ppm: input.rate, created_at: now, updated_at: now };
    await trx.insertInto('tax_rates').values(row).execute();
    return { ...row, rules: 0 };
  });
}

/** A changed rate applies to sales from now on; sales already made keep the rate they were charged. */
export async function updateTaxRate(ctx: ServiceContext, id: string, input: UpdateTaxRateInput): Promise<TaxRateRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    await findRate(tctx, id);
    await trx
      .updateTable('tax_rates')
      .set({ ...(input.name !== undefined ? { name: input.name } : {}), ...(input.rate !== undefined ? { rate_ppm: input.rate } : {}), updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .execute();
    return findRate(tctx, id);
  });
}

/** A rate still named by a rule is refused: removing it would silently change what those sites charge. */
export async function deleteTaxRate(ctx: ServiceContext, id: string): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    const rate = await findRate({ ...ctx, trx }, id);
    if (rate.rules > 0) throw new TaxError('tax_rate_in_use', `${rate.name} is used by ${rate.rules} rule(s); change or remove them first.`, { extra: { tax_rate_id: id, rules: rate.rules } });
    await trx.deleteFrom('tax_rates').where('id', '=', id).execute();
  });
}

/** The rules of every site the actor may see, shop-wide ones first. */
export async function listTaxRules(ctx: ServiceContext): Promise<TaxRuleRecord[]> {
  const db = reader(ctx);
  const rows = await db
    .selectFrom('tax_rules as r')
    .innerJoin('tax_rates as t', 't.id', 'r.tax_rate_id')
    .leftJoin('locations as l', 'l.id', 'r.site_id')
    .select(['r.site_id', 'r.category', 'r.category_key', 'r.tax_rate_id', 'r.updated_at', 't.name', 't.rate_ppm', 'l.kind', 'l.site_id as location_site_id'])
    .orderBy('r.site_id')
    .orderBy('r.category_key')
    .limit(5000)
    .execute();
  return rows
    .filter((r) => r.site_id === '' || (r.kind !== null && isVisibleTo(ctx.actor, { kind: r.kind, site_id: r.location_site_id })))
    .map((r) => ({
      siteId: r.site_id === '' ? null : r.site_id,
      category: r.category_key === '' ? null : r.category,
      taxRateId: r.tax_rate_id,
      name: r.name,
      ratePpm: Number(r.rate_ppm),
      updatedAt: Number(r.updated_at),
    }));
}

/** Sets (or, with no rate, removes) the rule for one site and category; returns it, or null when removed. */
export async function setTaxRule(ctx: ServiceContext, input: SetTaxRuleInput): Promise<TaxRuleRecord | null> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    if (input.site_id !== null) {
      const site = await getLocation(tctx, input.site_id);
      if (site.kind !== 'site') {
        throw new TaxError('tax_rule_invalid', 'A tax rule is for a whole site, not a zone or bin.', { errors: [{ field: 'body.site_id', code: 'not_a_site', message: 'not a site' }] });
      }
    }
    // A shop-wide rule changes what every store charges: only someone granted every site sets it.
    if (input.site_id === null && ctx.actor.sites !== 'all') throw new PlatformError('forbidden', 'A rule for every site needs a grant for every site; name your site in site_id.');
    const siteId = input.site_id ?? '';
    const key = categoryKey(input.category);
    if (input.tax_rate_id === null) {
      await trx.deleteFrom('tax_rules').where('site_id', '=', siteId).where('category_key', '=', key).execute();
      return null;
    }
    const rate = await trx.selectFrom('tax_rates').selectAll().where('id', '=', input.tax_rate_id).executeTakeFirst();
    if (!rate) throw new TaxError('tax_rule_invalid', `No tax rate ${input.tax_rate_id}.`, { errors: [{ field: 'body.tax_rate_id', code: 'not_found', message: 'no such tax rate' }] });
    const now = ctx.clock.now();
    const category = (input.category ?? '').trim();
    await trx
      .insertInto('tax_rules')
      .values({ site_id: siteId, category_key: key, category, tax_rate_id: rate.id, updated_at: now })
      .onConflict((oc) => oc.columns(['site_id', 'category_key']).doUpdateSet({ category, tax_rate_id: rate.id, updated_at: now }))
      .execute();
    return { siteId: input.site_id, category: key === '' ? null : category, taxRateId: rate.id, name: rate.name, ratePpm: Number(rate.rate_ppm), updatedAt: now };
  });
}

export async function getItemTax(ctx: ServiceContext, itemId: string): Promise<{ itemId: string; exempt: boolean }> {
  await getItem(ctx, itemId);
  const row = await reader(ctx).selectFrom('tax_exempt_items').select('item_id').where('item_id', '=', itemId).executeTakeFirst();
  return { itemId, exempt: row !== undefined };
}

export async function setItemTaxExempt(ctx: ServiceContext, itemId: string, exempt: boolean): Promise<{ itemId: string; exempt: boolean }> {
  return inTransaction(ctx, async (trx) => {
    await getItem({ ...ctx, trx }, itemId);
    if (exempt) await trx.insertInto('tax_exempt_items').values({ item_id: itemId, created_at: ctx.clock.now() }).onConflict((oc) => oc.column('item_id').doNothing()).execute();
    else await trx.deleteFrom('tax_exempt_items').where('item_id', '=', itemId).execute();
    return { itemId, exempt };
  });
}

/** What a till at the site needs to work out every line's rate by itself, online or offline. */
export async function getTaxTable(ctx: ServiceContext, siteId: string): Promise<{ table: TaxTable; pricesIncludeTax: boolean }> {
  const site = await getLocation(ctx, siteId);
  const db = reader(ctx);
  const [table, settings] = await Promise.all([loadTaxTable(db, site.site_id ?? site.id), readSettings(db)]);
  return { table, pricesIncludeTax: settings.prices_include_tax };
}
