import type { ServiceContext } from '../platform/context.ts';
import {
  cancelPurchaseOrder,
  closePurchaseOrder,
  createPurchaseOrder,
  createReceipt,
  postReceipt,
  sendPurchaseOrder,
  setVendorItem,
  type PurchaseOrderRecord,
  type ReceiptLineInput,
} from '../modules/purchasing/index.ts';
import { DEFAULT_WAREHOUSE_PLANNING, measuredLeadTimes, proposeReplenishment, suggestLevels, type WarehousePlanning } from '../modules/replenishment/index.ts';
import type { DemoVendor, VendorKey } from './demo-catalog.ts';
import { homeBinIndex, lotOf } from './demo-store.ts';
import type { Random } from './random.ts';
import { HARBOUR, SITE_COUNT, WAREHOUSE, type ShopModel, type SimProduct } from './shop-model.ts';
import { at, type DayEvent, type Tally } from './day-events.ts';

const DAY_MS = 86_400_000;
const LINES_PER_ORDER = 200;

interface Arrival {
  day: number;
  po: PurchaseOrderRecord;
  vendor: DemoVendor;
  site: number;
}

/**
 * The buying side of a simulated day. On each vendor's order day every site reviews that vendor's
 * items against a seasonal forecast (reorder point: demand over the lead time plus safety days;
 * order up to that plus the days until the next review, in whole purchase units) and sends one
 * purchase order. Deliveries come when the vendor manages: usually on time, for some vendors late
 * and short, now and then with a damaged unit. The bakery delivers every morning what was ordered
 * the evening before. Vendors raise their prices a few percent now and then.
 */
/** Who decides what to buy: the simulator's private forecast, or Stockroom's own proposals (for measuring them). */
export type DemoPurchasing = 'simulator' | 'stockroom';

export class Replenishment {
  #arrivals: Arrival[] = [];
  readonly #byVendor = new Map<VendorKey, SimProduct[]>();
  #leadTimes: Awaited<ReturnType<typeof measuredLeadTimes>> | undefined;

  constructor(
    readonly model: ShopModel,
    readonly random: Random,
    readonly tally: Tally,
    readonly vendors: ReadonlyMap<VendorKey, { vendor: DemoVendor; id: string }>,
    readonly purchasing: DemoPurchasing = 'simulator',
    readonly maxCover: 'review' | 'none' = 'review',
    readonly warehousePlanning: WarehousePlanning = DEFAULT_WAREHOUSE_PLANNING,
  ) {
    for (const product of model.products) {
      const list = this.#byVendor.get(product.vendor) ?? [];
      list.push(product);
      this.#byVendor.set(product.vendor, list);
    }
  }

  planDay(day: number, dayStart: number): DayEvent[] {
    const events: DayEvent[] = [];
    for (const arrival of this.#arrivals.filter((a) => a.day === day)) {
      const hour = arrival.vendor.key === 'bakery' ? 6.5 : 7 + this.random.next() * 4;
      events.push({ at: at(dayStart, hour), run: (ctx) => this.#receive(ctx, arrival) });
    }
    this.#arrivals = this.#arrivals.filter((a) => a.day > day);
    const weekday = new Date(dayStart).getUTCDay();
    if (new Date(dayStart).getUTCDate() === 1) events.push({ at: at(dayStart, 8), run: (ctx) => this.#raisePrices(ctx) });
    // With Stockroom buying, the levels are suggested afresh every Sunday (after four weeks of history).
    if (this.purchasing === 'stockroom' && weekday === 0 && day >= 28) events.push({ at: at(dayStart, 16.5), run: (ctx) => this.#suggestLevels(ctx) });
    for (const { vendor } of this.vendors.values()) {
      if (vendor.key === 'bakery' || !vendor.orderDays.includes(weekday)) continue;
      // Stockroom's proposals read the sales history, which a batch holds back; the simulator's buyer reads its model.
      const proposals = this.purchasing === 'stockroom' && day >= 28;
      const review = proposals ? this.#reviewWithProposals.bind(this) : this.#review.bind(this);
      events.push({ at: at(dayStart, 17), run: (ctx) => review(ctx, day, dayStart, vendor), passesBatch: !proposals });
    }
    events.push({ at: at(dayStart, 17.25), run: (ctx) => this.#orderBakes(ctx, day, dayStart), passesBatch: true });
    return events;
  }

  async #review(ctx: ServiceContext, day: number, dayStart: number, vendor: DemoVendor): Promise<void> {
    const model = this.model;
    const review = Math.ceil(7 / vendor.orderDays.length);
    const safety = Math.max(2, Math.ceil(vendor.leadDays * 0.5));
    for (let site = 0; site < SITE_COUNT; site += 1) {
      const lines = [];
      for (const product of this.#byVendor.get(vendor.key) ?? []) {
        const coverUntil = day + 1 + vendor.leadDays + safety;
        const reorderPoint = model.forecast(site, product.index, day + 1, coverUntil);
        if (reorderPoint <= 0) continue;
        const position = model.stock[site]![product.index]! + model.onOrder[site]![product.index]!;
        if (position > reorderPoint) continue;
        const upTo = reorderPoint + model.forecast(site, product.index, coverUntil, coverUntil + review);
        const units = Math.max(1, Math.ceil((upTo - position) / product.perPurchase));
        lines.push({ product, units });
      }
      for (let start = 0; start < lines.length; start += LINES_PER_ORDER) {
        await this.#order(ctx, day, dayStart, vendor, site, lines.slice(start, start + LINES_PER_ORDER));
      }
    }
  }

  async #suggestLevels(ctx: ServiceContext): Promise<void> {
    this.#leadTimes = await measuredLeadTimes(ctx);
    for (const siteId of this.model.siteIds) await suggestLevels(ctx, siteId, {}, { apply: true, maxCover: this.maxCover, warehousePlanning: this.warehousePlanning });
  }

  /** Stockroom's purchase proposals for this vendor, ordered as proposed (and sent, as the simulator's buyer would). */
  async #reviewWithProposals(ctx: ServiceContext, day: number, dayStart: number, vendor: DemoVendor): Promise<void> {
    const vendorId = this.vendors.get(vendor.key)!.id;
    const proposals = await proposeReplenishment(ctx, { leadTimes: this.#leadTimes });
    for (const group of proposals.purchase) {
      if (group.vendorId !== vendorId) continue;
      const site = this.model.siteIds.indexOf(group.siteId);
      const lines = group.lines.map((l) => ({ product: this.model.products[this.model.indexById.get(l.itemId)!]!, units: l.order.qty / 1000 }));
      for (let start = 0; start < lines.length; start += LINES_PER_ORDER) {
        await this.#order(ctx, day, dayStart, vendor, site, lines.slice(start, start + LINES_PER_ORDER));
      }
    }
  }

  async #orderBakes(ctx: ServiceContext, day: number, dayStart: number): Promise<void> {
    const bakery = this.vendors.get('bakery')!.vendor;
    // Main Street bakes its own every morning (DemoProduction); Harbour buys its bakes in.
    for (const site of [HARBOUR]) {
      const lines = (this.#byVendor.get('bakery') ?? [])
        .map((product) => ({ product, units: Math.ceil((this.model.forecast(site, product.index, day + 1, day + 2) * 1.15) / 1000) }))
        .filter((l) => l.units > 0);
      if (lines.length) await this.#order(ctx, day, dayStart, bakery, site, lines);
    }
  }

  async #order(ctx: ServiceContext, day: number, dayStart: number, vendor: DemoVendor, site: number, lines: Array<{ product: SimProduct; units: number }>): Promise<void> {
    const expected = new Date(dayStart + vendor.leadDays * DAY_MS).toISOString().slice(0, 10);
    const draft = await createPurchaseOrder(ctx, {
      vendor_id: this.vendors.get(vendor.key)!.id,
      delivery_site_id: this.model.siteIds[site]!,
      expected_on: expected,
      lines: lines.map(({ product, units }) => ({ item_id: product.id, qty: units * 1000, unit: product.purchaseUnit })),
    });
    const po = await sendPurchaseOrder(ctx, draft.id);
    for (const { product, units } of lines) this.model.addOnOrder(site, product.index, units * product.perPurchase);
    const late = this.random.chance(vendor.late.chance) ? this.random.int(1, vendor.late.maxDays) : 0;
    this.#arrivals.push({ day: day + vendor.leadDays + late, po, vendor, site });
    this.tally.purchaseOrders += 1;
  }

  async #receive(ctx: ServiceContext, arrival: Arrival): Promise<void> {
    const { po, vendor, site } = arrival;
    const model = this.model;
    const now = ctx.clock.now();
    const lines: ReceiptLineInput[] = [];
    let complete = true;
    for (const line of po.lines) {
      const product = model.products[model.indexById.get(line.item_id)!]!;
      const ordered = line.qty / 1000;
      const units = this.random.chance(vendor.short.chance) ? Math.floor(ordered * (1 - this.random.next() * vendor.short.maxFraction)) : ordered;
      model.addOnOrder(site, product.index, -line.qty_base);
      if (units < ordered) complete = false;
      if (units <= 0) continue;
      // The warehouse puts each delivery away on the product's home shelf; stores take it into their stockroom.
      const placing = { ...(lotOf(product, now) ?? {}), ...(site === WAREHOUSE ? { bin_id: this.#homeBin(product) } : {}) };
      const base = units * product.perPurchase;
      if (base >= 2000 && this.random.chance(0.015)) {
        // One unit arrives broken: counted, and sent straight to scrap.
        lines.push({ purchase_order_line_id: line.id, qty: base - 1000, unit: product.unit, ...placing });
        lines.push({ purchase_order_line_id: line.id, qty: 1000, unit: product.unit, condition: 'damaged', disposition: 'scrap', ...placing });
        model.add(site, product.index, base - 1000);
        complete = false;
      } else {
        lines.push({ purchase_order_line_id: line.id, qty: units * 1000, unit: line.unit, ...placing });
        model.add(site, product.index, base);
      }
    }
    if (lines.length) {
      const receipt = await createReceipt(ctx, { purchase_order_id: po.id, lines });
      await postReceipt(ctx, receipt.id);
      this.tally.receipts += 1;
    }
    // What the vendor did not send is not coming: the order is closed short, and the next review reorders.
    if (lines.length === 0) await cancelPurchaseOrder(ctx, po.id);
    else if (!complete) await closePurchaseOrder(ctx, po.id);
  }

  async #raisePrices(ctx: ServiceContext): Promise<void> {
    for (const { vendor, id } of this.vendors.values()) {
      if (!this.random.chance(0.2)) continue;
      const rise = 1.02 + this.random.next() * 0.03;
      for (const product of this.#byVendor.get(vendor.key) ?? []) {
        product.purchaseCostMicros = Math.round((product.purchaseCostMicros * rise) / 10_000) * 10_000;
        await setVendorItem(ctx, id, product.id, { vendor_sku: vendorSku(vendor, product), purchase_unit: product.purchaseUnit, unit_cost: product.purchaseCostMicros, preferred: true });
      }
    }
  }

  #homeBin(product: SimProduct): string {
    const bins = this.model.layout.warehouseBins;
    return bins[homeBinIndex(product.index, bins.length)]!;
  }

}

export function vendorSku(vendor: DemoVendor, product: SimProduct): string {
  return `${vendor.key.toUpperCase()}-${product.sku}`;
}
