import type { ServiceContext } from '../platform/context.ts';
import { approveCount, createCount, enterCountLines, MAX_COUNT_LINES, submitCount } from '../modules/counts/index.ts';
import { balanceAt } from '../modules/ledger/index.ts';
import { at, type DayEvent, type Tally } from './day-events.ts';
import type { Random } from './random.ts';
import { HARBOUR, MAIN, type ShopModel } from './shop-model.ts';

/**
 * Shrinkage nobody writes down, and the counts that find it. Every day a few units leave the
 * stores' shelves unrecorded (lifted, broken and swept up); the ledger still believes in them.
 * On the evening of the 21st day of every 30 each store counts everything it holds: the shelf is what
 * the ledger says less what went missing, the variances are approved by the manager and posted
 * at the moment of counting, and the ledger agrees with the shelf again. So the demo's history
 * has counts, a variance report and shrinkage per category to look at. A shop with more items
 * than one count holds (the big simulated shops) counts each category on its own sheet instead.
 */

const stores = [MAIN, HARBOUR] as const;
const lossesPerStorePerDay = 0.6;
const countEvery = 30;
const countDay = 20;

export class DemoCounts {
  /** Units (thousandths) gone from each store's shelf that the ledger does not know about. */
  readonly #missing = new Map<string, number>();

  constructor(
    readonly model: ShopModel,
    readonly random: Random,
    readonly tally: Tally,
  ) {}

  planDay(day: number, dayStart: number): DayEvent[] {
    const events: DayEvent[] = [];
    for (const site of stores) {
      for (let n = this.random.poisson(lossesPerStorePerDay); n > 0; n -= 1) events.push({ at: at(dayStart, 10 + this.random.next() * 8), run: async () => this.#lose(site), passesBatch: true });
      if (day % countEvery === countDay) events.push({ at: at(dayStart, 20.5), run: (ctx) => this.#stocktake(ctx, site) });
    }
    return events;
  }

  #lose(site: number): void {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const product = this.random.pick(this.model.products);
      const key = `${site}:${product.index}`;
      const onShelf = this.model.stock[site]![product.index]! - (this.#missing.get(key) ?? 0);
      if (onShelf < 1000) continue;
      this.#missing.set(key, (this.#missing.get(key) ?? 0) + 1000);
      return;
    }
  }

  async #stocktake(ctx: ServiceContext, site: number): Promise<void> {
    if (this.model.products.length <= MAX_COUNT_LINES) return this.#count(ctx, site, undefined);
    for (const category of await this.#categoriesHeld(ctx, site)) await this.#count(ctx, site, category);
  }

  /** The categories of what the site's bins hold (a count of a category with nothing in it is refused). */
  async #categoriesHeld(ctx: ServiceContext, site: number): Promise<string[]> {
    const rows = await (ctx.trx ?? ctx.db.kysely)
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .innerJoin('items as i', 'i.id', 'b.item_id')
      .select('i.category')
      .distinct()
      .where('l.site_id', '=', this.model.siteIds[site]!)
      .where('l.kind', '=', 'bin')
      .where('i.status', '=', 'active')
      .where('i.stocked', '=', 1)
      .where('b.on_hand', '<>', 0)
      .where('i.category', 'is not', null)
      .execute();
    return rows.map((r) => r.category!).sort();
  }

  async #count(ctx: ServiceContext, site: number, category: string | undefined): Promise<void> {
    const scope = category === undefined ? {} : { category };
    const record = await createCount(ctx, { site_id: this.model.siteIds[site]!, kind: category === undefined ? 'full' : 'cycle', mode: 'blind', note: category === undefined ? 'Monthly stocktake' : `Monthly stocktake: ${category}`, scope });
    const lines = [];
    for (const line of record.lines) {
      const index = this.model.indexById.get(line.item_id);
      const key = `${site}:${index}`;
      // The shelf holds what the ledger believes less what went missing (taken from the item's
      // first lots), and never less than nothing. The model follows the ledger to the count.
      const believed = (await balanceAt(ctx.trx ?? ctx.db.kysely, line.item_id, line.location_id, line.lot_id)).onHand;
      const gone = Math.min(Math.max(0, believed), this.#missing.get(key) ?? 0);
      if (gone > 0) this.#missing.set(key, (this.#missing.get(key) ?? 0) - gone);
      const counted = Math.max(0, believed - gone);
      if (index !== undefined) this.model.stock[site]![index] = this.model.stock[site]![index]! + counted - believed;
      lines.push({ location_id: line.location_id, item_id: line.item_id, qty: counted, ...(line.lot_code ? { lot_code: line.lot_code } : {}) });
    }
    for (let i = 0; i < lines.length; i += 500) await enterCountLines(ctx, record.count.id, lines.slice(i, i + 500));
    // What went missing of something the store no longer holds is forgotten: nothing is left to count.
    for (const key of [...this.#missing.keys()]) if (key.startsWith(`${site}:`) && this.#inCategory(key, category)) this.#missing.delete(key);
    const submitted = await submitCount(ctx, record.count.id, 'skip');
    if (submitted.count.status === 'submitted') await approveCount(ctx, record.count.id, undefined);
    this.tally.adjustments += 1;
  }

  #inCategory(key: string, category: string | undefined): boolean {
    return category === undefined || this.model.products[Number(key.slice(key.indexOf(':') + 1))]?.category === category;
  }
}
