import type { InferResult } from 'kysely';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import type { Executor } from '../../platform/db/transaction.ts';

/**
 * Which tax rate a line gets, from the shop's set-up. The most specific rule wins:
 * 1. the item is tax-exempt: 0;
 * 2. a rule for the item's category at the sale's site;
 * 3. a rule for the item's category at every site;
 * 4. the site's default rule (no category);
 * 5. the shop's default rule (no site, no category);
 * 6. none: 0.
 * A category rule beats a site default on purpose: "food is exempt" or "books at 5 %" hold in
 * every store, whatever the store's usual rate. Categories match trimmed and case-insensitively,
 * like channel assortments. A rate given in a request (`tax_rate` on a sale or its line) comes
 * before all of this — see checkout.service.ts.
 */

export interface TaxTable {
  siteId: string;
  /** The rate of lines whose category has no rule, ppm. */
  defaultPpm: number;
  /** By category key (trimmed, lower-cased): the rate at this site, ppm. */
  byCategory: Map<string, { category: string; ratePpm: number; taxRateId: string }>;
  defaultRateId: string | null;
  exemptItemIds: Set<string>;
}

export function categoryKey(category: string | null | undefined): string {
  return (category ?? '').trim().toLowerCase();
}

/** The rate of one item under a site's table, ppm. */
export function rateOfItem(table: TaxTable, item: { id: string; category: string | null }): number {
  if (table.exemptItemIds.has(item.id)) return 0;
  const key = categoryKey(item.category);
  if (key !== '') {
    const rule = table.byCategory.get(key);
    if (rule) return rule.ratePpm;
  }
  return table.defaultPpm;
}

/** Every rule with its rate; the callers say which sites'. */
const rulesWithRates = (db: Executor) =>
  db
    .selectFrom('tax_rules as r')
    .innerJoin('tax_rates as t', 't.id', 'r.tax_rate_id')
    .select(['r.site_id', 'r.category_key', 'r.category', 'r.tax_rate_id', 't.rate_ppm']);
export type TaxRuleRow = InferResult<ReturnType<typeof rulesWithRates>>[number];

// Both run on every sale: built once (see cachedQuery).
const rulesQuery = cachedQuery((db: Executor, args: { siteId: string }) => rulesWithRates(db).where('r.site_id', 'in', ['', args.siteId]));

/** The rules that can apply at the site of a location (its own and the shop-wide ones), for a caller that reads them with others (cachedReads). */
export const taxRulesAtLocationRead = (db: Executor, args: { locationId: string }) =>
  rulesWithRates(db).where((eb) =>
    eb.or([eb('r.site_id', '=', ''), eb('r.site_id', '=', eb.selectFrom('locations as l').select('l.site_id').where('l.id', '=', args.locationId))]),
  );

const exemptQuery = cachedQuery((db: Executor, args: { itemIds: readonly string[] }) => db.selectFrom('tax_exempt_items').select('item_id').where('item_id', 'in', [...args.itemIds]));

/**
 * The site's table. Rules are few (a handful per site), so all those that can apply here are
 * read; exempt items only for `itemIds` when given (a sale's lines), all of them otherwise.
 */
export async function loadTaxTable(db: Executor, siteId: string, itemIds?: readonly string[], knownExempt?: ReadonlySet<string>): Promise<TaxTable> {
  const [rules, exempt] = await Promise.all([
    rulesQuery.execute(db, { siteId }),
    knownExempt !== undefined
      ? Promise.resolve([...knownExempt].map((item_id) => ({ item_id })))
      : itemIds === undefined
      ? db.selectFrom('tax_exempt_items').select('item_id').orderBy('item_id').limit(20_000).execute()
      : itemIds.length
        ? exemptQuery.execute(db, { itemIds: [...new Set(itemIds)] })
        : Promise.resolve([]),
  ]);
  return taxTableFrom(siteId, rules, new Set(exempt.map((e) => e.item_id)));
}

/** The site's table from the rules that can apply there (its own and the shop-wide ones). */
export function taxTableFrom(siteId: string, rules: readonly TaxRuleRow[], exemptItemIds: Set<string>): TaxTable {
  // Site-specific rules are applied after the shop-wide ones, so they overwrite them.
  const ordered = [...rules].sort((a, b) => (a.site_id === b.site_id ? 0 : a.site_id === '' ? -1 : 1));
  let defaultPpm = 0;
  let defaultRateId: string | null = null;
  const byCategory = new Map<string, { category: string; ratePpm: number; taxRateId: string }>();
  for (const r of ordered) {
    if (r.category_key === '') {
      defaultPpm = Number(r.rate_ppm);
      defaultRateId = r.tax_rate_id;
    } else byCategory.set(r.category_key, { category: r.category, ratePpm: Number(r.rate_ppm), taxRateId: r.tax_rate_id });
  }
  return { siteId, defaultPpm, defaultRateId, byCategory, exemptItemIds };
}

/**
 * The rate of each item sold at a site, in one read of the rules and one of the exemptions.
 * `knownExempt`, when given, says which of `items` are exempt, read by the caller in the same
 * transaction (a counter sale reads it with its items), and spares the second read.
 */
export async function resolveTaxRates(
  db: Executor,
  siteId: string,
  items: ReadonlyArray<{ id: string; category: string | null }>,
  knownExempt?: ReadonlySet<string>,
): Promise<number[]> {
  const table = await loadTaxTable(db, siteId, items.map((i) => i.id), knownExempt);
  return items.map((item) => rateOfItem(table, item));
}
