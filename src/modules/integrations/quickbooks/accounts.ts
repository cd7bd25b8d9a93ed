import { inTransaction, reader, type ServiceContext } from '../../../platform/context.ts';
import type { Executor } from '../../../platform/db/transaction.ts';

/**
 * Where each kind of valuation change is booked. A role is the accounting meaning of a line
 * (the stock itself, the cost of what was sold, what went missing); a shop maps each role to an
 * account of its chart, for the whole shop or more narrowly per site and/or item category.
 */
export const ACCOUNT_ROLES = [
  'inventory_asset',
  'cost_of_goods_sold',
  'shrinkage',
  'count_variance',
  'opening_balance',
  'landed_cost_clearing',
  'purchases_clearing',
  'production',
  'transit',
  'rounding',
  'sales_revenue',
  'sales_discounts',
  'sales_tax',
  'sales_clearing',
] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** Names a new QuickBooks company either has (the first two are in its default chart) or gets on first sync. */
export const DEFAULT_ACCOUNTS: Record<AccountRole, { name: string; type: string; subType: string; bySubType?: true }> = {
  inventory_asset: { name: 'Inventory Asset', type: 'Other Current Asset', subType: 'Inventory' },
  cost_of_goods_sold: { name: 'Cost of Goods Sold', type: 'Cost of Goods Sold', subType: 'SuppliesMaterialsCogs' },
  shrinkage: { name: 'Inventory Shrinkage', type: 'Cost of Goods Sold', subType: 'OtherCostsOfServiceCos' },
  count_variance: { name: 'Inventory Count Variance', type: 'Cost of Goods Sold', subType: 'OtherCostsOfServiceCos' },
  // Stock entered as an opening balance is equity the shop brought in, not a loss or a gain.
  opening_balance: { name: 'Opening Balance Equity', type: 'Equity', subType: 'OpeningBalanceEquity' },
  landed_cost_clearing: { name: 'Landed Cost Clearing', type: 'Other Current Liability', subType: 'OtherCurrentLiabilities' },
  purchases_clearing: { name: 'Purchases Clearing', type: 'Other Current Liability', subType: 'OtherCurrentLiabilities' },
  production: { name: 'Production Clearing', type: 'Other Current Asset', subType: 'OtherCurrentAssets' },
  transit: { name: 'Inventory in Transit', type: 'Other Current Asset', subType: 'OtherCurrentAssets' },
  rounding: { name: 'Rounding Differences', type: 'Expense', subType: 'OtherMiscellaneousServiceCost' },
  // The sales roles (booked only when a connection syncs sales). Every QuickBooks company has an
  // account of each of these detail types, whatever it is called ("Undeposited Funds" is
  // "Payments to deposit" in newer companies): a default name not in the chart is looked for by
  // its type before it is created.
  sales_revenue: { name: 'Sales of Product Income', type: 'Income', subType: 'SalesOfProductIncome', bySubType: true },
  sales_discounts: { name: 'Discounts given', type: 'Income', subType: 'DiscountsRefundsGiven', bySubType: true },
  sales_tax: { name: 'Sales Tax Payable', type: 'Other Current Liability', subType: 'SalesTaxPayable', bySubType: true },
  sales_clearing: { name: 'Undeposited Funds', type: 'Other Current Asset', subType: 'UndepositedFunds', bySubType: true },
};

/** The roles of the revenue side, booked only when sales are synced. */
export const SALES_ROLES: ReadonlySet<AccountRole> = new Set(['sales_revenue', 'sales_discounts', 'sales_tax', 'sales_clearing']);

/** Roles whose balance is stock the shop holds: their lines carry the rounding forward (see journal.ts). */
export const ASSET_ROLES: ReadonlySet<AccountRole> = new Set(['inventory_asset', 'transit']);

export interface AccountMapping {
  siteId: string | null;
  category: string | null;
  role: AccountRole;
  accountName: string;
}

/** Resolves roles to account names, the most specific mapping first. */
export class AccountResolver {
  private readonly byKey = new Map<string, string>();

  constructor(rows: ReadonlyArray<{ site_id: string; category: string; role: string; account_name: string }>) {
    for (const row of rows) this.byKey.set(`${row.site_id}\u0000${row.category}\u0000${row.role}`, row.account_name);
  }

  account(role: AccountRole, siteId: string, category: string | null): string {
    const cat = category ?? '';
    for (const [s, c] of [[siteId, cat], [siteId, ''], ['', cat], ['', '']] as const) {
      const name = this.byKey.get(`${s}\u0000${c}\u0000${role}`);
      if (name !== undefined) return name;
    }
    return DEFAULT_ACCOUNTS[role].name;
  }
}

export async function loadAccountResolver(db: Executor): Promise<AccountResolver> {
  return new AccountResolver(await db.selectFrom('accounting_accounts').selectAll().execute());
}

export async function listAccountMappings(ctx: ServiceContext): Promise<AccountMapping[]> {
  const rows = await reader(ctx).selectFrom('accounting_accounts').selectAll().orderBy('role').orderBy('site_id').orderBy('category').execute();
  return rows.map((r) => ({ siteId: r.site_id || null, category: r.category || null, role: r.role as AccountRole, accountName: r.account_name }));
}

/** Sets (or with a null name, removes) one mapping. Changing the mapping of a day already synced posts a correcting entry moving its balance. */
export async function setAccountMapping(ctx: ServiceContext, input: { siteId: string | null; category: string | null; role: AccountRole; accountName: string | null }): Promise<AccountMapping[]> {
  await inTransaction(ctx, async (trx) => {
    const key = { site_id: input.siteId ?? '', category: input.category ?? '', role: input.role };
    await trx.deleteFrom('accounting_accounts').where('site_id', '=', key.site_id).where('category', '=', key.category).where('role', '=', key.role).execute();
    if (input.accountName !== null) await trx.insertInto('accounting_accounts').values({ ...key, account_name: input.accountName, updated_at: ctx.clock.now() }).execute();
  });
  return listAccountMappings(ctx);
}
