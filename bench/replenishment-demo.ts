import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDemoShop, type DemoShopSummary } from '../src/demo/demo-shop.ts';
import type { DemoPurchasing } from '../src/demo/demo-replenishment.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { formatMoney } from '../src/platform/money.ts';
import { SITE_COUNT, WAREHOUSE, type ShopModel } from '../src/demo/shop-model.ts';

/**
 * The demo shop twice from the same seed: once buying with the simulator's private reorder logic
 * (today's demo), once with Stockroom's own proposals (levels suggested every Sunday from four weeks
 * on, proposals ordered on each vendor's order day). Prints stock-out days and average stock value
 * at purchase cost for both. Not part of `npm run bench`: a full run builds two shops.
 *
 *   npx tsx bench/replenishment-demo.ts --days 180
 *   npx tsx bench/replenishment-demo.ts --days 70 --only stockroom --warehouse two_level   # the two-level rule (before echelon)
 *   npx tsx bench/replenishment-demo.ts --days 70 --why   # stock-out days by the item's simulated demand, its level, and the warehouse's stock
 */
const { values } = parseArgs({ options: { days: { type: 'string', default: '180' }, seed: { type: 'string' }, only: { type: 'string' }, 'max-cover': { type: 'string', default: 'review' }, groups: { type: 'boolean', default: false }, levels: { type: 'boolean', default: false }, why: { type: 'boolean', default: false }, warehouse: { type: 'string', default: 'echelon' } } });
const days = Number(values.days);

async function run(purchasing: DemoPurchasing): Promise<DemoShopSummary> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-replenish-'));
  const db = await openDatabase({ url: path.join(dir, 'shop.db') });
  const started = Date.now();
  try {
    let lastLog = 0;
    const summary = await loadDemoShop(
      { db, clock: systemClock, actor: systemActor },
      {
        days,
        purchasing,
        levelsMaxCover: values['max-cover'] === 'none' ? 'none' : 'review',
        warehousePlanning: values.warehouse === 'two_level' ? 'two_level' : 'echelon',
        measureStock: true,
        ...(values.why ? { afterDay: (day: number, model: ShopModel) => whyOut.record(db, day, model) } : {}),
        ...(values.seed ? { seed: Number(values.seed) } : {}),
        onProgress: ({ phase, done, total }) => {
          if (Date.now() - lastLog < 30_000 && done !== total) return;
          lastLog = Date.now();
          console.error(`${purchasing}: ${phase} ${done}/${total} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        },
      },
    );
    console.error(`${purchasing}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (values.levels && purchasing === 'stockroom') console.log(await levelsAtEnd(db));
    if (values.why) console.log(whyOut.report());
    return summary;
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const row = (name: string, s: DemoShopSummary) =>
  `${name.padEnd(24)} stock-out days ${String(s.stock!.stockOutDays).padStart(7)}   average stock value ${formatMoney(s.stock!.averageStockValueMicros).padStart(14)}   purchase orders ${s.purchaseOrders}` +
  `\n${''.padEnd(24)} by site (Main Street, Harbour, warehouse): ${s.stock!.bySite.map((x) => `${x.stockOutDays} / ${formatMoney(x.averageStockValueMicros)}`).join(', ')}` +
  (values.groups ? s.stock!.byGroup.map((g) => `\n${''.padEnd(26)}${g.group.padEnd(32)} ${g.bySite.map((x) => `${String(x.stockOutDays).padStart(5)} / ${formatMoney(x.averageStockValueMicros).padStart(10)}`).join('   ')}`).join('') : '');

/**
 * `--levels`: where the suggested levels put the stock value on the last day, per site and item
 * class (A/B/C by service level), at the vendor's cost: the safety stock (min less the forecast
 * over lead time and review), what the max adds over the min, what is on hand, and how much of it
 * sits above the max (stock no level asks for). Read beside the per-site averages above, it says
 * whether excess stock is safety, cycle, or left over.
 */
async function levelsAtEnd(db: Awaited<ReturnType<typeof openDatabase>>): Promise<string> {
  const k = db.kysely;
  const [levels, sites, items, costs, held] = await Promise.all([
    k.selectFrom('stock_levels').select(['item_id', 'site_id', 'min_qty', 'max_qty', 'basis_json']).whereRef('location_id', '=', 'site_id').execute(),
    k.selectFrom('locations').select(['id', 'name']).where('kind', '=', 'site').execute(),
    k.selectFrom('items').select(['id', 'units_json']).execute(),
    k.selectFrom('vendor_items').select(['item_id', 'purchase_unit', 'unit_cost_micros']).where('preferred', '=', 1).execute(),
    k.selectFrom('balances as b').innerJoin('locations as l', 'l.id', 'b.location_id').select(['b.item_id', 'l.site_id', 'b.on_hand']).where('l.purpose', '=', 'stock').execute(),
  ]);
  const units = new Map(items.map((i) => [i.id, JSON.parse(i.units_json) as Array<{ name: string; factor: number }>]));
  // Cost per base thousandth: the purchase unit's cost over its size in base thousandths.
  const cost = new Map(costs.map((c) => [c.item_id, Number(c.unit_cost_micros) / (units.get(c.item_id)?.find((u) => u.name.toLowerCase() === c.purchase_unit.toLowerCase())?.factor ?? 1000)]));
  const siteName = new Map(sites.map((s) => [s.id, s.name]));
  const onHand = new Map<string, number>();
  for (const h of held) if (h.site_id) onHand.set(`${h.item_id}|${h.site_id}`, (onHand.get(`${h.item_id}|${h.site_id}`) ?? 0) + Number(h.on_hand));
  const rows = new Map<string, { n: number; safety: number; cycle: number; onHand: number; aboveMax: number }>();
  for (const l of levels) {
    const basis = l.basis_json ? (JSON.parse(l.basis_json) as { forecast: number; servicePermille: number }) : null;
    if (!basis) continue;
    const klass = basis.servicePermille >= 980 ? 'A' : basis.servicePermille >= 950 ? 'B' : 'C';
    const key = `${siteName.get(l.site_id)} ${klass}`;
    const row = rows.get(key) ?? rows.set(key, { n: 0, safety: 0, cycle: 0, onHand: 0, aboveMax: 0 }).get(key)!;
    const c = cost.get(l.item_id) ?? 0;
    const held = onHand.get(`${l.item_id}|${l.site_id}`) ?? 0;
    row.n += 1;
    row.safety += (Number(l.min_qty) - basis.forecast) * c;
    row.cycle += (Number(l.max_qty) - Number(l.min_qty)) * c;
    row.onHand += held * c;
    row.aboveMax += Math.max(0, held - Number(l.max_qty)) * c;
  }
  const money = (m: number) => formatMoney(Math.round(m)).padStart(12);
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, r]) => `  ${key.padEnd(22)} levels ${String(r.n).padStart(4)}  safety ${money(r.safety)}  max over min ${money(r.cycle)}  on hand ${money(r.onHand)}  above max ${money(r.aboveMax)}`)
    .join('\n');
}

/**
 * `--why`: the stock-out days split by the item's simulated demand at the site (the same split for
 * both buyers) and, with levels set, by whether the site's level for it was 0 and 0 (or unset).
 */
class WhyOut {
  readonly #days = new Map<string, number>();
  /** Stock value summed over the days (divided by the run's days when reported): the average, split like the stock-out days. */
  readonly #value = new Map<string, number>();

  async record(db: Awaited<ReturnType<typeof openDatabase>>, day: number, model: ShopModel): Promise<void> {
    const levels = await db.kysely.selectFrom('stock_levels').select(['item_id', 'site_id', 'max_qty', 'basis_json']).whereRef('location_id', '=', 'site_id').execute();
    const max = new Map(levels.map((l) => [`${l.item_id}|${l.site_id}`, Number(l.max_qty)]));
    const floor = new Set(levels.filter((l) => l.basis_json && (JSON.parse(l.basis_json) as { shelfFloor?: boolean }).shelfFloor).map((l) => `${l.item_id}|${l.site_id}`));
    const keep = new Map(levels.filter((l) => l.site_id === model.siteIds[WAREHOUSE]).map((l) => [l.item_id, l.basis_json ? ((JSON.parse(l.basis_json) as { ownKeep?: number }).ownKeep ?? 0) : 0]));
    for (const p of model.products) {
      if (p.bakedDaily) continue;
      for (let site = 0; site < SITE_COUNT; site += 1) {
        const perDay = model.forecast(site, p.index, 0, days) / days / 1000;
        const stock = model.stock[site]![p.index]!;
        if (stock > 0 && day >= 28) {
          const k = `${p.id}|${model.siteIds[site]}`;
          const level = max.get(k);
          const kind = level === undefined ? 'no level' : floor.has(k) ? 'floor (max raised to 1)' : level === 0 ? 'level 0/0' : 'level > 0';
          const pack = p.perPurchase <= 1000 ? 'pack 1' : level !== undefined && p.perPurchase > level ? 'pack > max' : 'pack <= max';
          const rate = perDay < 0.02 ? 'under 0.02/day' : perDay < 0.1 ? '0.02-0.1/day' : perDay < 0.5 ? '0.1-0.5/day' : '0.5+/day';
          const vk = `site ${site} from day 28, ${rate.padEnd(15)} ${kind.padEnd(24)} ${pack}`;
          this.#value.set(vk, (this.#value.get(vk) ?? 0) + (stock * p.purchaseCostMicros) / p.perPurchase);
        }
        if (perDay <= 0 || model.stock[site]![p.index]! >= 1000) continue;
        const rate = perDay < 0.02 ? 'under 0.02/day' : perDay < 0.1 ? '0.02-0.1/day' : perDay < 0.5 ? '0.1-0.5/day' : '0.5+/day';
        const level = max.get(`${p.id}|${model.siteIds[site]}`);
        const kind = level === undefined ? 'no level' : level === 0 ? 'level 0/0' : 'level > 0';
        const wh = model.stock[WAREHOUSE]![p.index]!;
        const held = site === WAREHOUSE || level === undefined ? '' : wh < 1000 ? ', warehouse empty' : wh <= (keep.get(p.id) ?? 0) ? ', warehouse at or below keep' : ', warehouse above keep';
        const key = `site ${site} ${day < 28 ? 'before' : 'from'} day 28, ${rate.padEnd(15)} ${kind}${held}`;
        this.#days.set(key, (this.#days.get(key) ?? 0) + 1);
      }
    }
  }

  report(): string {
    const out = [...this.#days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `  ${k.padEnd(90)} ${String(n).padStart(6)}`);
    // Average stock value from day 28 over the run's days (so the rows add up to the part of the average after day 28).
    const value = [...this.#value].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `  value ${k.padEnd(84)} ${formatMoney(Math.round(v / days)).padStart(12)}`);
    return [...out, ...value].join('\n');
  }
}
const whyOut = new WhyOut();

// `--only simulator|stockroom` runs one side (two processes can then share the work).
const sides: DemoPurchasing[] = values.only ? [values.only as DemoPurchasing] : ['simulator', 'stockroom'];
for (const side of sides) {
  const summary = await run(side);
  console.log(`demo shop, ${days} days, seed ${summary.seed}: ${row(side === 'simulator' ? 'simulator buys (today)' : 'Stockroom proposals buy', summary)}`);
}
