import { formatQuantity, QTY_SCALE } from '../../platform/quantity.ts';

/**
 * The arithmetic of replenishment, pure and in thousandths of the base unit: where an item stands
 * at a site, whether it needs stock, how much to order in the vendor's packs, how much to move
 * from a site with more than it needs, and the sentence that explains each line. The services
 * gather the numbers; everything that decides a quantity happens here, so the property tests and
 * the explanation read the same figures the proposal used.
 */

export interface Position {
  onHand: number;
  reserved: number;
  /** Still owed by vendors on open purchase orders (drafts included: a draft is an order being made). */
  onOrder: number;
  /** Coming by transfer documents not yet received. */
  inTransit: number;
}

export interface Level {
  min: number;
  max: number;
}

/** What a suggested level was computed from, kept with it so a line can say why. */
export interface LevelBasis {
  leadTimeDays: number;
  reviewDays: number;
  /** Target service level in whole tenths of a percent (950 = 95 %). */
  servicePermille: number;
  /** Forecast demand over lead time + review, thousandths. */
  forecast: number;
  /** Where the lead time came from; `transfer`: a store filled from a warehouse, on its transfer cycle. */
  leadTimeSource: 'measured' | 'promised' | 'default' | 'delivery_cycle' | 'transfer';
  /** At a warehouse: how many stores it fills whose demand the forecast counts, beside its own (two-level planning). */
  storesCounted?: number;
  /**
   * At a warehouse: what its own customers (not the stores) need over the lead time and review at
   * the service level, thousandths: it keeps that much on its shelf when it sends to the stores.
   */
  ownKeep?: number;
  /** At a warehouse: its own customers' demand was read from the stores' (times the web shop's share), their own history being mostly out of stock. */
  ownFromStores?: boolean;
  /** At a warehouse: an echelon level, on the stock of the warehouse and the stores it fills together. */
  echelon?: boolean;
  /** At an echelon warehouse: what it buys its own stock back up to when that is at or below `ownKeep` (the keep plus its own customers' demand over one review). */
  ownMax?: number;
  /** Echelon planning: the max was raised to one unit, the least a site keeps of an item it carries. */
  shelfFloor?: boolean;
}

export interface PackTerms {
  /** The purchase unit's name ("case"), or the base unit. */
  unitName: string;
  /** Thousandths of the base unit in one purchase unit (6000 = a case of 6). */
  factor: number;
  /** Thousandths of the purchase unit the vendor sells in multiples of; null: whole purchase units. */
  packMultiple: number | null;
  /** Thousandths of the purchase unit; null: no minimum. */
  minOrder: number | null;
}

export interface OrderQuantity {
  /** What reaching the max takes, base thousandths. */
  need: number;
  /** What is ordered, thousandths of the purchase unit. */
  qty: number;
  /** The same in base thousandths. */
  qtyBase: number;
  rounding: 'exact' | 'rounded_up' | 'rounded_down' | 'minimum_order' | 'one_pack';
}

/** Stock the site can count on: on hand, less what is promised away, plus what is on its way. */
export function positionOf(p: Position): number {
  return p.onHand - p.reserved + p.onOrder + p.inTransit;
}

/** At or below the min, counting everything on its way: the trigger of every proposal. */
export function needsStock(position: number, level: Level): boolean {
  return position <= level.min && level.max > position;
}

function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}

/**
 * Order up to the max in whole packs of the vendor (whole purchase units without one), to the
 * nearer pack: down when the packs below still bring the stock above the min (the next delivery
 * then comes before it runs short, and a part-case is not bought only to sit), up otherwise; at
 * least the minimum order.
 */
export function orderQuantity(position: number, level: Level, terms: PackTerms): OrderQuantity | null {
  const need = level.max - position;
  if (need <= 0) return null;
  const step = terms.packMultiple && terms.packMultiple > 0 ? terms.packMultiple : QTY_SCALE;
  const needInUnit = ceilDiv(need * QTY_SCALE, terms.factor);
  const up = ceilDiv(needInUnit, step) * step;
  const down = up - step;
  const baseOf = (qty: number) => Math.floor((qty * terms.factor) / QTY_SCALE);
  const nearerBelow = down > 0 && need * QTY_SCALE - down * terms.factor < up * terms.factor - need * QTY_SCALE;
  let qty = nearerBelow && position + baseOf(down) > level.min ? down : up;
  let rounding: OrderQuantity['rounding'] = qty * terms.factor === need * QTY_SCALE ? 'exact' : qty === down ? 'rounded_down' : 'rounded_up';
  if (terms.minOrder !== null && qty < terms.minOrder) {
    qty = ceilDiv(terms.minOrder, step) * step;
    rounding = 'minimum_order';
  }
  return { need, qty, qtyBase: ceilDiv(qty * terms.factor, QTY_SCALE), rounding };
}

/**
 * What a store buys for itself when its warehouse has none to send and it would be empty: up to its
 * min (at least one unit) in the vendor's packs, but at most one pack (or the vendor's minimum
 * order): a stopgap until the warehouse's own delivery, which then shares the rest out by need.
 */
export function stopgapOrder(position: number, level: Level, terms: PackTerms): OrderQuantity | null {
  const order = orderQuantity(position, { min: level.min, max: Math.max(level.min, QTY_SCALE) }, terms);
  const step = terms.packMultiple && terms.packMultiple > 0 ? terms.packMultiple : QTY_SCALE;
  const cap = Math.max(step, terms.minOrder === null ? 0 : ceilDiv(terms.minOrder, step) * step);
  if (!order || order.qty <= cap) return order;
  return { need: order.need, qty: cap, qtyBase: ceilDiv(cap * terms.factor, QTY_SCALE), rounding: 'one_pack' };
}

const q = (thousandths: number) => formatQuantity(thousandths);
const plural = (n: string, word: string) => (n === '1' ? word : `${word}s`);

/** "on hand 4, 3 on order, forecast 11 over the 9-day lead time + 7-day review, 95 % service → min 14, max 20 → order 18, rounded up to 3 cases of 6". */
export function explainPurchase(p: Position, level: Level, basis: LevelBasis | null, order: OrderQuantity, terms: PackTerms, transferIn = 0, transferOut = 0, storesShort = 0, atStores: number | null = null): string {
  return `${explainPosition(p, transferIn, transferOut, storesShort, atStores)}, ${explainLevel(level, basis)} → ${explainOrder(order, terms)}`;
}

export function explainPosition(p: Position, transferIn = 0, transferOut = 0, storesShort = 0, atStores: number | null = null): string {
  const parts = [`on hand ${q(p.onHand)}`];
  if (p.reserved) parts.push(`${q(p.reserved)} reserved`);
  if (p.onOrder) parts.push(`${q(p.onOrder)} on order`);
  if (p.inTransit) parts.push(`${q(p.inTransit)} coming by transfer`);
  if (transferIn) parts.push(`${q(transferIn)} proposed by transfer`);
  if (transferOut) parts.push(`${q(transferOut)} proposed to other sites`);
  if (storesShort) parts.push(`${q(storesShort)} more needed by the stores it fills`);
  // An echelon warehouse counts its stores' stock (on hand and coming) with its own.
  if (atStores !== null) parts.push(`${q(atStores)} at the stores it fills`);
  return parts.join(', ');
}

export function explainLevel(level: Level, basis: LevelBasis | null): string {
  if (!basis) return `min ${q(level.min)}, max ${q(level.max)}`;
  const lead =
    basis.leadTimeSource === 'delivery_cycle'
      ? `${basis.leadTimeDays}-day delivery cycle`
      : `${basis.leadTimeDays}-day ${basis.leadTimeSource === 'measured' ? '' : `${basis.leadTimeSource} `}lead time`;
  // Tenths of a percent as a number: 975 → "97.5", 500 → "50" (trimming zeros off a formatted "50" left "5").
  const service = String(basis.servicePermille / 10);
  const where = basis.storesCounted ? ` here and at the ${basis.storesCounted === 1 ? 'store' : `${basis.storesCounted} stores`} it fills` : '';
  const floor = basis.shelfFloor ? ' (one kept on the shelf)' : '';
  return `forecast ${q(basis.forecast)}${where} over the ${lead} + ${basis.reviewDays}-day review, ${service} % service → min ${q(level.min)}, max ${q(level.max)}${floor}`;
}

export function explainOrder(order: OrderQuantity, terms: PackTerms): string {
  const ordered = `order ${q(order.qtyBase)}`;
  const inUnits = terms.factor === QTY_SCALE ? null : `${q(order.qty)} ${plural(q(order.qty), terms.unitName)} of ${q(terms.factor)}`;
  if (order.rounding === 'one_pack') return `${ordered}, ${inUnits ?? (terms.packMultiple ? `one multiple of ${q(terms.packMultiple)}` : 'one unit')} for now`;
  if (order.rounding === 'minimum_order') return `${ordered}, the vendor's minimum order${inUnits ? ` (${inUnits})` : ''}`;
  if (order.rounding === 'rounded_up') {
    if (inUnits) return `${ordered}, rounded up to ${inUnits}`;
    return `${ordered}, rounded up to ${terms.packMultiple ? `a multiple of ${q(terms.packMultiple)}` : 'whole units'}`;
  }
  if (order.rounding === 'rounded_down') {
    const to = inUnits ?? (terms.packMultiple ? `a multiple of ${q(terms.packMultiple)}` : 'whole units');
    return `${ordered}, rounded down to ${to} (that still keeps it above the min)`;
  }
  return inUnits ? `${ordered} (${inUnits})` : ordered;
}

/** One site's figures for one item, as transfer planning sees them. */
export interface SiteStock {
  siteId: string;
  kind: 'store' | 'warehouse';
  position: Position;
  /** Null: the site has no level for the item. */
  level: Level | null;
  /** A warehouse planned for its stores: what it keeps free on its shelf for its own customers (`LevelBasis.ownKeep`). */
  keep?: number;
  /** A warehouse with an echelon level (`LevelBasis.echelon`): its min is on its stock and its stores' together, so a transfer does not lower it. */
  echelon?: boolean;
  /** An echelon warehouse: its own stock's max (`LevelBasis.ownMax`). */
  keepMax?: number;
  /** The site's max was raised to one unit, the least it keeps of an item it carries (`LevelBasis.shelfFloor`): the why says so. */
  shelfFloor?: boolean;
}

export interface PlannedTransfer {
  sourceSiteId: string;
  destinationSiteId: string;
  qty: number;
  /** The source's free stock before and after, and its min, for the explanation. */
  sourceFreeBefore: number;
  sourceMin: number;
  /** What the source keeps on its shelf for its own customers, when it is a warehouse planned for its stores. */
  sourceKeep?: number;
}

/**
 * What one site can give without falling below its own min: a warehouse what it holds free, as
 * long as its stock counting what it has on order stays at or above its min (the min is a reorder
 * point on that stock: a warehouse that has bought for its stores sends what it holds, and what it
 * sends is bought back when it reaches its min; zero without a level, never more than it holds,
 * and a warehouse planned for its stores keeps on its shelf what its own customers need);
 * a store only what is above its max (it keeps its max, and never less than its min on the
 * shelf). Free stock is on hand less reserved: what is only on order cannot travel.
 */
export function surplusOf(site: SiteStock): number {
  const free = site.position.onHand - site.position.reserved;
  // An echelon warehouse's min counts the stores' stock too: what it moves to them stays inside it, so all above its own customers' keep can go.
  if (site.kind === 'warehouse' && site.echelon) return site.level ? Math.max(0, free - (site.keep ?? 0)) : 0;
  if (site.kind === 'warehouse') return site.level ? Math.max(0, Math.min(free - (site.keep ?? 0), positionOf(site.position) - site.level.min)) : 0;
  if (!site.level) return 0;
  const abovePosition = positionOf(site.position) - site.level.max;
  return Math.max(0, Math.min(free - site.level.min, abovePosition));
}

/**
 * Moves for one item: stores at or below their min are filled towards their max from warehouses
 * first, then from the stores with most to spare; whole base units only. Sources never drop
 * below their own min, and a site is never both source and destination.
 */
export function planTransfers(sites: readonly SiteStock[]): PlannedTransfer[] {
  const short = sites
    .filter((s) => s.kind === 'store' && s.level && needsStock(positionOf(s.position), s.level))
    .map((s) => ({ site: s, need: s.level!.max - positionOf(s.position) }))
    .sort((a, b) => b.need - a.need || (a.site.siteId < b.site.siteId ? -1 : 1));
  const shortIds = new Set(short.map((s) => s.site.siteId));
  const sources = sites
    .filter((s) => !shortIds.has(s.siteId))
    .map((s) => ({ site: s, left: Math.floor(surplusOf(s) / QTY_SCALE) * QTY_SCALE, free: s.position.onHand - s.position.reserved }))
    .filter((s) => s.left > 0)
    .sort((a, b) => (a.site.kind === b.site.kind ? b.left - a.left : a.site.kind === 'warehouse' ? -1 : 1));
  const planned: PlannedTransfer[] = [];
  const needs = new Map(short.map((d) => [d.site.siteId, Math.ceil(d.need / QTY_SCALE) * QTY_SCALE]));
  // An echelon warehouse short of what the stores need shares it out: each store to the same part of its max.
  // An echelon warehouse short of what the stores need shares it out: each store to the same part of its max. (Topping up
  // every store below its max, and sharing its own customers' keep with the stores, were measured and not kept.)
  const echelon = sources.find((s) => s.site.kind === 'warehouse' && s.site.echelon);
  if (echelon) {
    const given = fairShares(short.map((d) => ({ position: positionOf(d.site.position), max: d.site.level!.max, need: needs.get(d.site.siteId)! })), echelon.left);
    short.forEach((dest, i) => {
      const qty = given[i]!;
      if (qty <= 0) return;
      planned.push(moveOf(echelon, dest.site, qty));
      echelon.left -= qty;
      echelon.free -= qty;
      needs.set(dest.site.siteId, needs.get(dest.site.siteId)! - qty);
    });
  }
  for (const dest of short) {
    let need = needs.get(dest.site.siteId)!;
    for (const source of sources) {
      if (source === echelon) continue;
      if (need <= 0) break;
      const qty = Math.min(need, source.left);
      if (qty <= 0) continue;
      planned.push(moveOf(source, dest.site, qty));
      source.left -= qty;
      source.free -= qty;
      need -= qty;
    }
  }
  return planned;
}

function moveOf(source: { site: SiteStock; free: number }, dest: SiteStock, qty: number): PlannedTransfer {
  return {
    sourceSiteId: source.site.siteId,
    destinationSiteId: dest.siteId,
    qty,
    sourceFreeBefore: source.free,
    sourceMin: source.site.level?.min ?? 0,
    ...(source.site.keep ? { sourceKeep: source.site.keep } : {}),
  };
}

/**
 * Fair shares of `available` (whole units) among stores short of stock: everyone's need when it
 * covers them all; otherwise each is brought to the same part f of its max (f·max − position,
 * never more than its need), in whole units, the units left over one at a time to the store
 * lowest against its max. A store far below its max is filled first, not the first in the list.
 */
export function fairShares(dests: ReadonlyArray<{ position: number; max: number; need: number }>, available: number): number[] {
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(dests.map((d) => d.need)) <= available) return dests.map((d) => d.need);
  const scale = (d: { max: number }) => Math.max(d.max, QTY_SCALE);
  const given = (f: number) => dests.map((d) => Math.min(d.need, Math.max(0, f * scale(d) - d.position)));
  let lo = Math.min(0, ...dests.map((d) => d.position / scale(d)));
  let hi = 1;
  for (let i = 0; i < 60; i += 1) {
    const mid = (lo + hi) / 2;
    if (sum(given(mid)) <= available) lo = mid;
    else hi = mid;
  }
  const out = given(lo).map((g) => Math.floor(g / QTY_SCALE) * QTY_SCALE);
  for (let left = Math.floor((available - sum(out)) / QTY_SCALE); left > 0; left -= 1) {
    let pick = -1;
    dests.forEach((d, i) => {
      if (out[i]! + QTY_SCALE > d.need) return;
      if (pick < 0 || (d.position + out[i]!) / scale(d) < (dests[pick]!.position + out[pick]!) / scale(dests[pick]!)) pick = i;
    });
    if (pick < 0) break;
    out[pick]! += QTY_SCALE;
  }
  return out;
}

/**
 * An echelon warehouse's stock: its own position and the positions of the stores it fills. A
 * transfer between them leaves it unchanged; only buying raises it, and only the customers of all
 * of them lower it.
 */
export function echelonPosition(sites: readonly SiteStock[]): number {
  return sites.reduce((sum, s) => sum + positionOf(s.position), 0);
}

/**
 * What an echelon warehouse buys on: its stock and its stores' together against its (echelon) min,
 * up to its max; and, as its own customers are served only from its shelf, at least enough to
 * bring its own stock, less what it is sending, up to their max once it is at or below their keep
 * (a min and max of its own shelf's customers). `position` is what the order is computed from
 * (the max less the larger of the two needs).
 */
export function echelonNeed(warehouse: SiteStock, sites: readonly SiteStock[], sending: number): { position: number; needs: boolean; atStores: number } {
  const level = warehouse.level!;
  const atStores = echelonPosition(sites.filter((s) => s.kind === 'store'));
  const whole = positionOf(warehouse.position) + atStores;
  const own = positionOf(warehouse.position) - sending;
  const keep = warehouse.keep ?? 0;
  const keepLow = keep > 0 && own <= keep;
  const need = Math.max(level.max - whole, keepLow ? (warehouse.keepMax ?? keep) - own : 0);
  return { position: level.max - need, needs: (needsStock(whole, level) || keepLow) && need > 0, atStores };
}

/**
 * Two-level planning: what each store at or below its min still needs after the planned moves
 * (up to its max, whole units). A store filled from a warehouse does not buy for itself; this is
 * what its warehouse buys for it, on top of its own level.
 */
export function shortAfterMoves(sites: readonly SiteStock[], moves: readonly PlannedTransfer[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of sites) {
    if (s.kind !== 'store' || !s.level || !needsStock(positionOf(s.position), s.level)) continue;
    const moved = moves.filter((m) => m.destinationSiteId === s.siteId).reduce((a, m) => a + m.qty, 0);
    const short = Math.ceil((s.level.max - positionOf(s.position)) / QTY_SCALE) * QTY_SCALE - moved;
    if (short > 0) out.set(s.siteId, short);
  }
  return out;
}

export function explainTransfer(dest: SiteStock, move: PlannedTransfer, sourceName: string): string {
  const level = dest.level!;
  return (
    `${explainPosition(dest.position)}, min ${q(level.min)}, max ${q(level.max)}${dest.shelfFloor ? ' (one kept on the shelf)' : ''} → move ${q(move.qty)} from ${sourceName}` +
    ` (it has ${q(move.sourceFreeBefore)} free, keeps ${q(move.sourceFreeBefore - move.qty)}, its min is ${q(move.sourceMin)}` +
    `${move.sourceKeep ? `, ${q(move.sourceKeep)} kept for its own customers` : ''})`
  );
}

/** One bin's stock of one item, as pick-face planning sees it. */
export interface BinStock {
  locationId: string;
  code: string;
  /** On hand less reserved in the bin. */
  free: number;
  /** Null: the bin has no level for the item (a reserve bin). */
  level: Level | null;
}

export interface PlannedBinMove {
  from: BinStock;
  to: BinStock;
  qty: number;
}

/**
 * Moves inside one site for one item: every pick-face bin (a bin with a level) at or below its min
 * is filled towards its max from the site's other bins, reserve bins (no level) first and the
 * fullest first; a bin with a level of its own gives only what is above its max, so it never drops
 * below its min. Whole base units; a bin is never both source and destination.
 */
export function planBinMoves(bins: readonly BinStock[]): PlannedBinMove[] {
  const faces = bins
    .filter((b) => b.level && needsStock(b.free, b.level))
    .map((b) => ({ bin: b, need: Math.ceil((b.level!.max - b.free) / QTY_SCALE) * QTY_SCALE }))
    .sort((a, b) => b.need - a.need || (a.bin.code < b.bin.code ? -1 : 1));
  const short = new Set(faces.map((f) => f.bin.locationId));
  const sources = bins
    .filter((b) => !short.has(b.locationId))
    .map((b) => ({ bin: b, left: Math.floor(Math.max(0, b.level ? b.free - b.level.max : b.free) / QTY_SCALE) * QTY_SCALE }))
    .filter((s) => s.left > 0)
    .sort((a, b) => (!a.bin.level === !b.bin.level ? b.left - a.left || (a.bin.code < b.bin.code ? -1 : 1) : a.bin.level ? 1 : -1));
  const planned: PlannedBinMove[] = [];
  for (const face of faces) {
    let need = face.need;
    for (const source of sources) {
      if (need <= 0) break;
      const qty = Math.min(need, source.left);
      if (qty <= 0) continue;
      planned.push({ from: source.bin, to: face.bin, qty });
      source.left -= qty;
      need -= qty;
    }
  }
  return planned;
}

/** "pick face A-01: on hand 2, min 4, max 12 → move 10 from R-03 (it has 40, keeps 30)". */
export function explainBinMove(move: PlannedBinMove): string {
  const level = move.to.level!;
  const keeps = move.from.level ? `, keeps ${q(move.from.free - move.qty)}, its min is ${q(move.from.level.min)}` : `, keeps ${q(move.from.free - move.qty)}`;
  return `pick face ${move.to.code}: ${q(move.to.free)} free, min ${q(level.min)}, max ${q(level.max)} → move ${q(move.qty)} from ${move.from.code} (it has ${q(move.from.free)}${keeps})`;
}
