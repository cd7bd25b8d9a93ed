import type { ServiceContext } from '../platform/context.ts';
import { createAdjustment } from '../modules/adjustments/index.ts';
import { createPickLists, deliverShipment, markPicked, packShipment, shipShipment } from '../modules/fulfillment/index.ts';
import { confirmOrder, createOrder, createReturn, createSale } from '../modules/sales/index.ts';
import { EXTRA_SHOT_GRAMS, EXTRA_SHOT_PRICE, EXTRA_SHOT_SHARE, GIFT_BASKET, OAT_MILK_PRICE, OAT_MILK_SHARE } from './demo-catalog.ts';
import { money, qty } from './demo-store.ts';
import type { Random } from './random.ts';
import { HARBOUR, MAIN, WAREHOUSE, type ShopModel, type SimPart, type SimProduct, type SimRecipe } from './shop-model.ts';
import { at, type DayEvent, type Tally } from './day-events.ts';

const CASH_ROUNDING = 5_000_000;
const EMPLOYEES = [['Maya', 'Tom', 'Priya'], ['Jonas', 'Ines']] as const;
const FIRST_NAMES = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jae', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Pia', 'Quinn', 'Rosa', 'Sam', 'Tariq'];
const LAST_NAMES = ['Adler', 'Brooks', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Khan', 'Larsen', 'Moreau', 'Novak', 'Okafor', 'Petrov'];
const TOWNS = ['Riverside', 'Old Town', 'Northfield', 'Westbrook', 'Harbourside', 'Millbank'];

type Token = { kind: 'product'; product: SimProduct } | { kind: 'recipe'; recipe: SimRecipe } | { kind: 'basket' };

interface PendingReturn {
  day: number;
  site: number;
  product: SimProduct;
  saleId?: string;
  orderId?: string;
  lineId: string;
}

interface PlacedOrder {
  id: string;
  placedAt: number;
  /** Order line id → its quantity and whether it is the basket (a bundle packs by the basket). */
  lines: Map<string, { qty: number; bundle: boolean; product: SimProduct | null }>;
}

/**
 * The selling side of a simulated day: counter sales at both stores (baskets of drinks, bakes and
 * gifts through the day), web orders picked, packed and shipped from the warehouse, returns a few
 * days later, a little breakage and theft, the bakery's leftovers thrown out at closing and milk
 * past its date poured away.
 */
export class Trading {
  #orders: PlacedOrder[] = [];
  #deliveries: Array<{ day: number; shipmentId: string; order: PlacedOrder }> = [];
  #returns: PendingReturn[] = [];
  #orderNo = 10_000;
  /** Shelf goods sold by the unit: what gets dropped, stolen and brought back. */
  readonly #plain: SimProduct[];
  readonly #isPlain: Set<SimProduct>;
  readonly #perishable: SimProduct[];
  readonly #baked: SimProduct[];
  /** Indexes of what the coffee modifiers swap in and add. */
  readonly #coffee: { oat: number; whole: number; beans: number };

  constructor(
    readonly model: ShopModel,
    readonly random: Random,
    readonly tally: Tally,
    readonly oatMilkId: string,
    readonly extraShotId: string,
    readonly webShopId: string,
  ) {
    this.#plain = model.products.filter((p) => !p.bakedDaily && p.unit === 'ea' && p.category !== 'Café supplies');
    this.#isPlain = new Set(this.#plain);
    this.#perishable = model.products.filter((p) => p.shelfLifeDays);
    this.#baked = model.products.filter((p) => p.bakedDaily);
    const index = (sku: string) => model.bySku.get(sku)!.index;
    this.#coffee = { oat: index('MILK-OAT'), whole: index('MILK-WHOLE'), beans: index('BEAN-ESP-1KG') };
  }

  planDay(day: number, dayStart: number): DayEvent[] {
    const events: DayEvent[] = [];
    const calendar = this.model.calendar;
    for (const site of [MAIN, HARBOUR]) {
      const busy = 0.85 + this.random.next() * 0.3;
      const rain = this.random.chance(0.3) ? 2.2 : 0.5;
      const tokens: Token[] = [];
      const draw = (base: number, factor: number, token: Token) => {
        for (let n = this.random.poisson(base * factor * busy); n > 0; n -= 1) tokens.push(token);
      };
      for (const product of this.model.products) {
        const base = product.demand[site]!;
        if (base > 0) draw(base, calendar.factor(product.season, product.weekday, day) * (product.season === 'rain' ? rain : 1), { kind: 'product', product });
      }
      for (const recipe of this.model.recipes) draw(recipe.demand[site]!, calendar.factor(recipe.season, 'cafe', day), { kind: 'recipe', recipe });
      draw(GIFT_BASKET.demand[site]!, calendar.factor(GIFT_BASKET.season, 'shop', day), { kind: 'basket' });
      this.random.shuffle(tokens);
      const baskets: Token[][] = [];
      for (let i = 0; i < tokens.length; ) {
        const size = this.#basketSize();
        baskets.push(tokens.slice(i, i + size));
        i += size;
      }
      const times = baskets.map(() => at(dayStart, 7.5 + this.random.next() * 10.5)).sort((a, b) => a - b);
      baskets.forEach((basket, i) => events.push({ at: times[i]!, run: (ctx) => this.#sell(ctx, day, site, basket), batchable: true }));
      events.push({ at: at(dayStart, 18.5), run: (ctx) => this.#throwOutBakes(ctx, site) });
      for (const reason of ['damaged', 'theft'] as const) {
        const perDay = (reason === 'damaged' ? 0.15 : 0.05) * Math.max(1, this.#plain.length / 300);
        for (let n = this.random.poisson(perDay); n > 0; n -= 1) events.push({ at: at(dayStart, 9 + this.random.next() * 8), run: (ctx) => this.#shrink(ctx, site, reason) });
      }
    }

    const webTokens: Token[] = [];
    for (const product of this.model.products) {
      if (product.online <= 0) continue;
      for (let n = this.random.poisson(product.online * calendar.factor(product.season, 'shop', day)); n > 0; n -= 1) webTokens.push({ kind: 'product', product });
    }
    for (let n = this.random.poisson(GIFT_BASKET.online * calendar.factor(GIFT_BASKET.season, 'shop', day)); n > 0; n -= 1) webTokens.push({ kind: 'basket' });
    this.random.shuffle(webTokens);
    for (let i = 0; i < webTokens.length; ) {
      const size = this.random.int(1, 3);
      const lines = webTokens.slice(i, i + size);
      events.push({ at: at(dayStart, this.random.next() * 24), run: (ctx) => this.#placeOrder(ctx, lines), passesBatch: true });
      i += size;
    }
    events.push({ at: at(dayStart, 16), run: (ctx) => this.#shipOrders(ctx, day, at(dayStart, 15)) });
    events.push({ at: at(dayStart, 12), run: (ctx) => this.#deliver(ctx, day), passesBatch: true });
    for (const pending of this.#returns.filter((r) => r.day === day)) {
      events.push({ at: at(dayStart, 10 + this.random.next() * 7), run: (ctx) => this.#takeBack(ctx, pending) });
    }
    this.#returns = this.#returns.filter((r) => r.day > day);
    events.push({ at: at(dayStart, 18.75), run: (ctx) => this.#pourAwayExpired(ctx, dayStart) });
    return events;
  }

  #basketSize(): number {
    const r = this.random.next();
    return r < 0.45 ? 1 : r < 0.75 ? 2 : r < 0.9 ? 3 : 4;
  }

  async #sell(ctx: ServiceContext, day: number, site: number, tokens: readonly Token[]): Promise<void> {
    const model = this.model;
    const groups = new Map<string, { parts: SimPart[]; itemId: string; price: number; modifiers: string[]; count: number; product: SimProduct | null }>();
    for (const token of tokens) {
      let key: string;
      let entry;
      if (token.kind === 'product') {
        key = token.product.sku;
        entry = { parts: model.partsOf(token.product), itemId: token.product.id, price: token.product.priceMicros, modifiers: [], product: token.product };
      } else if (token.kind === 'basket') {
        key = 'basket';
        entry = { parts: model.basket.parts, itemId: model.basket.id, price: model.basket.priceMicros, modifiers: [], product: null };
      } else {
        const oat = token.recipe.modifiers && this.random.chance(OAT_MILK_SHARE);
        const shot = token.recipe.modifiers && this.random.chance(EXTRA_SHOT_SHARE);
        key = `${token.recipe.sku}/${oat}/${shot}`;
        const parts = token.recipe.parts.map((p) => (oat && p.index === this.#coffee.whole ? { index: this.#coffee.oat, qty: p.qty } : p));
        if (shot) parts.push({ index: this.#coffee.beans, qty: qty(EXTRA_SHOT_GRAMS) });
        const modifiers = [...(oat ? [this.oatMilkId] : []), ...(shot ? [this.extraShotId] : [])];
        entry = { parts, itemId: token.recipe.id, price: token.recipe.priceMicros + (oat ? money(OAT_MILK_PRICE) : 0) + (shot ? money(EXTRA_SHOT_PRICE) : 0), modifiers, product: null };
      }
      const group = groups.get(key);
      if (group) group.count += 1;
      else groups.set(key, { ...entry, count: 1 });
    }
    const lines = [];
    const sold: Array<SimProduct | null> = [];
    let total = 0;
    for (const group of groups.values()) {
      const units = Math.min(group.count, model.available(site, group.parts));
      if (units <= 0) continue;
      model.take(site, group.parts, units);
      lines.push({ item_id: group.itemId, qty: units * 1000, modifiers: group.modifiers });
      sold.push(group.product);
      total += units * group.price;
    }
    if (lines.length === 0) return;
    const byCard = this.random.chance(0.7);
    const paid = byCard ? total : Math.ceil(total / CASH_ROUNDING) * CASH_ROUNDING;
    const staff = EMPLOYEES[site]!;
    const record = await createSale(ctx, {
      location_id: model.siteIds[site]!,
      register: site === MAIN ? this.random.pick(['T1', 'T2']) : 'H1',
      employee: this.random.pick(staff),
      lines,
      payments: [{ tender: byCard ? 'card' : 'cash', amount: paid }],
    });
    this.tally.sales += 1;
    record.lines.forEach((line, i) => {
      const product = sold[i];
      if (product && this.#isPlain.has(product) && this.random.chance(0.012)) {
        this.#returns.push({ day: day + this.random.int(1, 14), site, product, saleId: record.sale.id, lineId: line.id });
      }
    });
  }

  async #takeBack(ctx: ServiceContext, pending: PendingReturn): Promise<void> {
    const restock = pending.orderId !== undefined || this.random.chance(0.8);
    await createReturn(ctx, {
      ...(pending.saleId ? { sale_id: pending.saleId } : { order_id: pending.orderId! }),
      reason: restock ? this.random.pick(['Changed mind', 'Wrong size', 'Unwanted gift']) : 'Faulty',
      lines: [{ line_id: pending.lineId, qty: 1000, condition: restock ? 'restockable' : 'damaged' }],
    });
    if (restock) this.model.add(pending.site, pending.product.index, 1000);
    this.tally.returns += 1;
  }

  async #placeOrder(ctx: ServiceContext, tokens: readonly Token[]): Promise<void> {
    const model = this.model;
    const wanted = new Map<string, { parts: SimPart[]; itemId: string; count: number; product: SimProduct | null }>();
    for (const token of tokens) {
      if (token.kind === 'recipe') continue;
      const key = token.kind === 'basket' ? 'basket' : token.product.sku;
      const entry = wanted.get(key);
      if (entry) entry.count += 1;
      else if (token.kind === 'basket') wanted.set(key, { parts: model.basket.parts, itemId: model.basket.id, count: 1, product: null });
      else wanted.set(key, { parts: model.partsOf(token.product), itemId: token.product.id, count: 1, product: token.product });
    }
    const lines = [];
    const taken: Array<{ parts: SimPart[]; units: number; product: SimProduct | null; itemId: string }> = [];
    for (const entry of wanted.values()) {
      const units = Math.min(entry.count, model.available(WAREHOUSE, entry.parts));
      if (units <= 0) continue;
      model.take(WAREHOUSE, entry.parts, units);
      lines.push({ item_id: entry.itemId, qty: units * 1000 });
      taken.push({ parts: entry.parts, units, product: entry.product, itemId: entry.itemId });
    }
    if (lines.length === 0) return;
    this.#orderNo += 1;
    const first = this.random.pick(FIRST_NAMES);
    const last = this.random.pick(LAST_NAMES);
    const { record } = await createOrder(ctx, {
      channel_id: this.webShopId,
      channel_order_id: `WEB-${this.#orderNo}`,
      customer: { name: `${first} ${last}`, email: `${first}.${last}@example.com`.toLowerCase() },
      ship_to: `${this.random.int(1, 180)} ${this.random.pick(['High Street', 'Park Lane', 'Station Road', 'Church Walk', 'Orchard Way'])}, ${this.random.pick(TOWNS)}`,
      lines,
    });
    await confirmOrder(ctx, record.order.id);
    this.tally.orders += 1;
    const placed: PlacedOrder = { id: record.order.id, placedAt: ctx.clock.now(), lines: new Map() };
    record.lines.forEach((line, i) => placed.lines.set(line.id, { qty: line.qty, bundle: taken[i]!.product === null, product: taken[i]!.product }));
    this.#orders.push(placed);
  }

  async #shipOrders(ctx: ServiceContext, day: number, cutOff: number): Promise<void> {
    const ready = this.#orders.filter((o) => o.placedAt < cutOff);
    this.#orders = this.#orders.filter((o) => o.placedAt >= cutOff);
    for (const order of ready) {
      for (const pick of await createPickLists(ctx, order.id)) {
        await markPicked(ctx, pick.list.id);
        const siteIndex = this.model.siteIds.indexOf(pick.list.site_id);
        if (siteIndex !== WAREHOUSE) {
          // Allocation went to another site than the model assumed: move the model's stock with it.
          for (const line of pick.lines) {
            const index = this.model.indexById.get(line.item_id)!;
            this.model.add(WAREHOUSE, index, line.qty);
            this.model.add(siteIndex, index, -line.qty);
          }
        }
        const packed = new Map<string, number>();
        for (const line of pick.lines) {
          const orderLine = order.lines.get(line.order_line_id)!;
          packed.set(line.order_line_id, orderLine.bundle ? orderLine.qty : (packed.get(line.order_line_id) ?? 0) + line.qty);
        }
        const shipment = await packShipment(ctx, pick.list.id, {
          packages: [{ weight_g: 1000 * this.random.int(300, 2500), lines: [...packed].map(([order_line_id, qty]) => ({ order_line_id, qty })) }],
        });
        const express = this.random.chance(0.2);
        await shipShipment(ctx, shipment.shipment.id, {
          carrier: 'Parcel Co',
          service: express ? 'Express' : 'Standard',
          packages: shipment.packages.map((p) => ({ package_id: p.id, tracking_number: `PC${ctx.clock.now().toString(36).toUpperCase()}${p.number}` })),
        });
        this.tally.shipments += 1;
        this.#deliveries.push({ day: day + (express ? 1 : this.random.int(2, 4)), shipmentId: shipment.shipment.id, order });
      }
    }
  }

  async #deliver(ctx: ServiceContext, day: number): Promise<void> {
    const due = this.#deliveries.filter((d) => d.day === day);
    this.#deliveries = this.#deliveries.filter((d) => d.day > day);
    for (const delivery of due) {
      await deliverShipment(ctx, delivery.shipmentId);
      if (!this.random.chance(0.04)) continue;
      const plain = [...delivery.order.lines].filter(([, line]) => line.product !== null);
      if (plain.length === 0) continue;
      const [lineId, line] = this.random.pick(plain);
      this.#returns.push({ day: day + this.random.int(2, 10), site: WAREHOUSE, product: line.product!, orderId: delivery.order.id, lineId });
    }
  }

  async #shrink(ctx: ServiceContext, site: number, reason: 'damaged' | 'theft'): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const product = this.random.pick(this.#plain);
      if (this.model.stock[site]![product.index]! < 1000) continue;
      await createAdjustment(ctx, {
        location_id: this.model.siteIds[site]!,
        reason,
        note: reason === 'damaged' ? this.random.pick(['Dropped while shelving', 'Knocked off the display', 'Water damage']) : 'Missing at shelf check',
        lines: [{ item_id: product.id, qty: -1000 }],
      });
      this.model.add(site, product.index, -1000);
      this.tally.adjustments += 1;
      return;
    }
  }

  async #throwOutBakes(ctx: ServiceContext, site: number): Promise<void> {
    const left = this.#baked.filter((p) => this.model.stock[site]![p.index]! > 0);
    if (left.length === 0) return;
    await createAdjustment(ctx, {
      location_id: this.model.siteIds[site]!,
      reason: 'expired',
      note: 'Unsold at closing',
      lines: left.map((p) => ({ item_id: p.id, qty: -this.model.stock[site]![p.index]! })),
    });
    for (const p of left) this.model.stock[site]![p.index] = 0;
    this.tally.adjustments += 1;
  }

  /** Milk goes out the evening before its date: sales never reach for an expired lot. */
  async #pourAwayExpired(ctx: ServiceContext, dayStart: number): Promise<void> {
    const tomorrow = new Date(dayStart + 86_400_000).toISOString().slice(0, 10);
    const rows = await ctx
      .trx!.selectFrom('balances')
      .innerJoin('lots', 'lots.id', 'balances.lot_id')
      .innerJoin('locations', 'locations.id', 'balances.location_id')
      .select(['balances.item_id', 'balances.location_id', 'balances.on_hand', 'lots.code', 'locations.site_id'])
      .where(
        'balances.item_id',
        'in',
        this.#perishable.map((p) => p.id),
      )
      .where('locations.site_id', 'in', [...this.model.siteIds])
      .where('lots.expires_on', '<=', tomorrow)
      .where('balances.on_hand', '>', 0)
      .orderBy('balances.location_id')
      .orderBy('balances.item_id')
      .orderBy('lots.code')
      .execute();
    for (const row of rows) {
      const site = this.model.siteIds.indexOf(row.site_id!);
      await createAdjustment(ctx, {
        location_id: row.location_id,
        reason: 'expired',
        note: 'Past its use-by date',
        lines: [{ item_id: row.item_id, qty: -row.on_hand, lot_code: row.code }],
      });
      this.model.add(site, this.model.indexById.get(row.item_id)!, -row.on_hand);
      this.tally.adjustments += 1;
    }
  }
}
