import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../../platform/context.ts';
import { startOfLocalDay } from '../../../platform/clock.ts';
import { formatMoney, currencyMinorDigits, minorUnitMicros } from '../../../platform/money.ts';
import { PlatformError } from '../../../platform/errors.ts';
import { readSettings } from '../../settings/index.ts';
import { flowLabel } from '../../reports/index.ts';
import { ASSET_ROLES, loadAccountResolver, type AccountResolver, type AccountRole } from './accounts.ts';
import { salesJournalLines, salesLinesBetween, type DayBounds, type SalesLine } from './sales-journal.ts';

/**
 * The accounting journal of the stock: for each local day and site, one balanced entry that books
 * the ledger's valuation changes — what came in from vendors, the cost of what was sold (net of
 * returns), shrinkage and count variances by reason, production, transfers — against the site's
 * inventory asset. Flows are classified the way the inventory-change report classifies them:
 * a movement counts for a site when it crosses the boundary of the site's physical locations, and
 * its other side (vendor, customer, adjustment, scrap, production, transit, another site) names the
 * counter-account.
 *
 * Money in the ledger is micros; a journal is in the currency's minor units. Rounding each line on
 * its own would let the books drift from the valuation a cent at a time, so the stock accounts
 * (inventory asset, goods in transit) are rounded cumulatively: at the end of every day the
 * balance of each stock account is its running ledger value rounded — allocated across accounts by
 * prefix sums so that the stock accounts together are exactly the whole shop's valuation rounded
 * (the figure an accountant checks). Each counter-account line is rounded on its own, and what
 * that leaves over goes on a named "Rounding" line, so every entry balances and no micro is lost.
 * The price: a site may see a one-cent rounding entry on a day another site's stock moved.
 */

export interface JournalLine {
  role: AccountRole;
  account: string;
  /** Signed minor units: positive is a debit, negative a credit. */
  amountMinor: number;
  /** Stockroom's exact figure behind the line, signed micros (null for the rounding line). */
  micros: number | null;
  memo: string;
}

export interface JournalEntry {
  day: string;
  siteId: string;
  siteCode: string;
  lines: JournalLine[];
}

export interface Journal {
  currency: string;
  minorDigits: number;
  from: string;
  to: string;
  entries: JournalEntry[];
  /** Per stock account (site, role, account), its balance in minor units at the start and end of the range. */
  stockBalances: { opening: number; closing: number };
}

export const MAX_JOURNAL_DAYS = 366;

type CounterRole = Exclude<AccountRole, 'inventory_asset' | 'rounding'>;

interface RawFlow {
  siteId: string;
  /** The stock account the flow changes: the site's shelves, or goods in transit charged to it. */
  stockRole: 'inventory_asset' | 'transit';
  category: string | null;
  kind: string;
  reason: string | null;
  direction: 'in' | 'out';
  counterRole: CounterRole;
  /** Signed for the site's stock: positive came in. Landed cost included. */
  valueMicros: number;
  landedMicros: number;
  movements: number;
}

function counterRoleOf(kind: string, reason: string | null, otherKind: string, otherVirtual: string | null): CounterRole {
  if (otherKind !== 'virtual') return 'transit';
  switch (otherVirtual) {
    case 'vendor':
      return 'purchases_clearing';
    case 'customer':
      return 'cost_of_goods_sold';
    case 'production':
      return 'production';
    case 'transit':
      return 'transit';
    case 'adjustment':
      if (kind === 'count') return 'count_variance';
      return reason === 'opening_balance' ? 'opening_balance' : 'shrinkage';
    default:
      return 'shrinkage';
  }
}

/** Every site-boundary flow in [start, end), grouped finely enough to classify. */
async function flowsBetween(ctx: ServiceContext, start: number | null, end: number): Promise<RawFlow[]> {
  let query = reader(ctx)
    .selectFrom('movements as m')
    .innerJoin('locations as lf', 'lf.id', 'm.from_location_id')
    .innerJoin('locations as lt', 'lt.id', 'm.to_location_id')
    .innerJoin('items as i', 'i.id', 'm.item_id')
    .leftJoin('inbound_costs as ic', 'ic.movement_id', 'm.id')
    .leftJoin('transfers as tr', (join) => join.onRef('tr.id', '=', 'm.document_id').on('m.document_type', '=', 'transfer'))
    .select([
      'tr.destination_site_id as transfer_site',
      'lf.kind as from_kind',
      'lf.site_id as from_site',
      'lf.virtual_type as from_virtual',
      'lt.kind as to_kind',
      'lt.site_id as to_site',
      'lt.virtual_type as to_virtual',
      'm.kind',
      'm.reason',
      'i.category',
      sql<number>`sum(coalesce(m.value_micros, 0))`.as('value'),
      sql<number>`sum(coalesce(ic.landed_micros, 0))`.as('landed'),
      sql<number>`count(*)`.as('n'),
    ])
    .where('m.effective_at', '<', end);
  if (start !== null) query = query.where('m.effective_at', '>=', start);
  const rows = await query.groupBy(['lf.kind', 'lf.site_id', 'lf.virtual_type', 'lt.kind', 'lt.site_id', 'lt.virtual_type', 'm.kind', 'm.reason', 'i.category', 'tr.destination_site_id']).execute();
  const flows: RawFlow[] = [];
  for (const r of rows) {
    const fromSite = r.from_kind === 'virtual' ? null : r.from_site;
    const toSite = r.to_kind === 'virtual' ? null : r.to_site;
    const value = Number(r.value);
    const landed = Number(r.landed);
    const base = { category: r.category, kind: r.kind, reason: r.reason, movements: Number(r.n) };
    const fromTransit = r.from_virtual === 'transit';
    const toTransit = r.to_virtual === 'transit';
    if (!fromSite && !toSite && fromTransit !== toTransit && r.transfer_site) {
      // Goods in transit that arrive damaged or are written off as lost: the receiving site finds out, so it books them.
      const direction = toTransit ? 'in' : 'out';
      const other = toTransit ? { kind: r.from_kind, virtual: r.from_virtual } : { kind: r.to_kind, virtual: r.to_virtual };
      flows.push({ ...base, siteId: r.transfer_site, stockRole: 'transit', direction, counterRole: counterRoleOf(r.kind, r.reason, other.kind, other.virtual), valueMicros: toTransit ? value : -value, landedMicros: 0 });
      continue;
    }
    if (fromSite === toSite) continue;
    if (toSite) flows.push({ ...base, siteId: toSite, stockRole: 'inventory_asset', direction: 'in', counterRole: counterRoleOf(r.kind, r.reason, r.from_kind, r.from_virtual), valueMicros: value, landedMicros: landed });
    if (fromSite) flows.push({ ...base, siteId: fromSite, stockRole: 'inventory_asset', direction: 'out', counterRole: counterRoleOf(r.kind, r.reason, r.to_kind, r.to_virtual), valueMicros: -value, landedMicros: 0 });
  }
  return flows;
}

/** Half away from zero, in integers. */
export function roundToUnit(micros: number, unit: number): number {
  const magnitude = Math.floor((Math.abs(micros) + unit / 2) / unit);
  return micros < 0 ? -magnitude : magnitude;
}

/** Stock-account keys: site, role and account, in a fixed order (the allocation depends on it). */
const stockKey = (siteId: string, role: AccountRole, account: string) => `${siteId}\u0000${role}\u0000${account}`;

/**
 * Minor units per stock account such that every prefix (in key order) is its micros rounded:
 * each account is within one minor unit of its value and the total is the total rounded.
 */
export function allocateRounded(cumulative: ReadonlyMap<string, number>, unit: number): Map<string, number> {
  const out = new Map<string, number>();
  let prefix = 0;
  let allocated = 0;
  for (const key of [...cumulative.keys()].sort()) {
    prefix += cumulative.get(key)!;
    const rounded = roundToUnit(prefix, unit);
    out.set(key, rounded - allocated);
    allocated = rounded;
  }
  return out;
}

interface DayWork {
  counter: Map<string, { role: AccountRole; account: string; memo: string; micros: number; movements: number }>;
  stock: Map<string, { micros: number; movements: number }>;
}

function addFlow(work: Map<string, DayWork>, cumulative: Map<string, number>, flow: RawFlow, accounts: AccountResolver): void {
  const site = work.get(flow.siteId) ?? { counter: new Map(), stock: new Map() };
  work.set(flow.siteId, site);
  const addStock = (role: AccountRole, micros: number) => {
    const key = stockKey(flow.siteId, role, accounts.account(role, flow.siteId, flow.category));
    const line = site.stock.get(key) ?? { micros: 0, movements: 0 };
    line.micros += micros;
    line.movements += flow.movements;
    site.stock.set(key, line);
    cumulative.set(key, (cumulative.get(key) ?? 0) + micros);
  };
  const addCounter = (role: AccountRole, micros: number, memo: string) => {
    const account = accounts.account(role, flow.siteId, flow.category);
    const key = `${role}\u0000${account}\u0000${memo}`;
    const line = site.counter.get(key) ?? { role, account, memo, micros: 0, movements: 0 };
    line.micros += micros;
    line.movements += flow.movements;
    site.counter.set(key, line);
  };
  addStock(flow.stockRole, flow.valueMicros);
  const label = flowLabel(flow);
  // Goods in transit are stock too: carried like the inventory asset, not rounded line by line.
  if (ASSET_ROLES.has(flow.counterRole)) addStock(flow.counterRole, -flow.valueMicros);
  else if (flow.counterRole === 'purchases_clearing' && flow.landedMicros !== 0) {
    addCounter('purchases_clearing', -(flow.valueMicros - flow.landedMicros), label);
    addCounter('landed_cost_clearing', -flow.landedMicros, `${label}: landed costs`);
  } else addCounter(flow.counterRole, -flow.valueMicros, label);
}

function entryFor(day: string, siteId: string, siteCode: string, work: DayWork, before: Map<string, number>, after: Map<string, number>, unit: number): JournalEntry | null {
  const lines: JournalLine[] = [];
  const stockKeys = new Set([...work.stock.keys(), ...[...after.keys()].filter((k) => k.startsWith(`${siteId}\u0000`))]);
  for (const key of [...stockKeys].sort()) {
    const [, role, account] = key.split('\u0000') as [string, AccountRole, string];
    const amountMinor = (after.get(key) ?? 0) - (before.get(key) ?? 0);
    const flow = work.stock.get(key);
    if (amountMinor === 0 && !flow) continue;
    const micros = flow?.micros ?? 0;
    lines.push({ role, account, amountMinor, micros, memo: `Stock value change ${formatMoney(micros)} (${flow?.movements ?? 0} movements)` });
  }
  for (const line of [...work.counter.values()].sort((a, b) => a.role.localeCompare(b.role) || a.account.localeCompare(b.account) || a.memo.localeCompare(b.memo))) {
    const amountMinor = roundToUnit(line.micros, unit);
    if (amountMinor === 0 && line.micros === 0) continue;
    lines.push({ role: line.role, account: line.account, amountMinor, micros: line.micros, memo: `${line.memo}: ${formatMoney(line.micros)} (${line.movements} movements)` });
  }
  const remainder = -lines.reduce((sum, l) => sum + l.amountMinor, 0);
  const nonZero = lines.filter((l) => l.amountMinor !== 0);
  if (nonZero.length === 0 && remainder === 0) return null;
  return { day, siteId, siteCode, lines: remainder === 0 ? nonZero : [...nonZero, { role: 'rounding', account: '', amountMinor: remainder, micros: null, memo: 'Rounding: micros to minor units' }] };
}

export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Each day of [from, to] with the instant it starts, and the day after `to` marking the end. */
function dayBounds(from: string, to: string, tz: string): DayBounds[] {
  const out: DayBounds[] = [];
  for (let day = from; day <= nextDay(to); day = nextDay(day)) out.push({ day, start: startOfLocalDay(day, tz) });
  return out;
}

export interface JournalOptions {
  /** Which days and sites also book their sales (see sales-journal.ts); none when absent. */
  sales?: (day: string, siteId: string) => boolean;
}

/** The day's entry for a site with its sales lines added before the rounding line (they balance on their own). */
function withSales(entry: JournalEntry | null, base: Omit<JournalEntry, 'lines'>, sales: JournalLine[]): JournalEntry | null {
  if (sales.length === 0) return entry;
  const lines = entry?.lines ?? [];
  return { ...base, lines: [...lines.filter((l) => l.role !== 'rounding'), ...sales, ...lines.filter((l) => l.role === 'rounding')] };
}

/** The journal for the local days [from, to] (inclusive), every site. */
export async function buildJournal(ctx: ServiceContext, from: string, to: string, options: JournalOptions = {}): Promise<Journal> {
  if (from > to) throw new PlatformError('validation_failed', '`from` is after `to`.', { errors: [{ field: 'querystring.to', code: 'order', message: 'must not be before from' }] });
  const settings = await readSettings(reader(ctx));
  const tz = settings.time_zone;
  if ((startOfLocalDay(to, tz) - startOfLocalDay(from, tz)) / 86_400_000 > MAX_JOURNAL_DAYS) {
    throw new PlatformError('validation_failed', `Ask for at most ${MAX_JOURNAL_DAYS} days at a time.`, { errors: [{ field: 'querystring.to', code: 'range', message: `at most ${MAX_JOURNAL_DAYS} days` }] });
  }
  const unit = minorUnitMicros(settings.base_currency);
  const accounts = await loadAccountResolver(reader(ctx));
  const sites = new Map((await reader(ctx).selectFrom('locations').select(['id', 'code']).where('kind', '=', 'site').execute()).map((s) => [s.id, s.code]));

  const cumulative = new Map<string, number>();
  const opening = new Map<string, DayWork>();
  for (const flow of await flowsBetween(ctx, null, startOfLocalDay(from, tz))) addFlow(opening, cumulative, flow, accounts);
  let before = allocateRounded(cumulative, unit);
  const sales = options.sales ? await salesLinesBetween(ctx, dayBounds(from, to, tz), unit, accounts) : new Map<string, SalesLine[]>();
  const openingMinor = [...before.values()].reduce((a, b) => a + b, 0);

  const entries: JournalEntry[] = [];
  for (let day = from; day <= to; day = nextDay(day)) {
    const work = new Map<string, DayWork>();
    for (const flow of await flowsBetween(ctx, startOfLocalDay(day, tz), startOfLocalDay(nextDay(day), tz))) addFlow(work, cumulative, flow, accounts);
    const after = allocateRounded(cumulative, unit);
    const daySales = sales.get(day) ?? [];
    const siteIds = new Set([...work.keys(), ...[...after.keys()].map((k) => k.split('\u0000')[0]!), ...daySales.map((l) => l.siteId)]);
    for (const siteId of [...siteIds].sort()) {
      const base = { day, siteId, siteCode: sites.get(siteId) ?? siteId };
      const stock = entryFor(day, siteId, base.siteCode, work.get(siteId) ?? { counter: new Map(), stock: new Map() }, before, after, unit);
      const entry = withSales(stock, base, options.sales?.(day, siteId) ? salesJournalLines(daySales, siteId, unit) : []);
      if (!entry) continue;
      for (const line of entry.lines) if (line.role === 'rounding') line.account = accounts.account('rounding', siteId, null);
      entries.push(entry);
    }
    before = after;
  }
  const closingMinor = [...before.values()].reduce((a, b) => a + b, 0);
  return { currency: settings.base_currency, minorDigits: currencyMinorDigits(settings.base_currency), from, to, entries, stockBalances: { opening: openingMinor, closing: closingMinor } };
}
