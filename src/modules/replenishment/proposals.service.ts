import { sql } from 'kysely';
import { localDate } from '../../platform/clock.ts';
import { canSeeSite, reader, type ServiceContext } from '../../platform/context.ts';
import type { ItemRow } from '../../platform/db/schema.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { unitsOf } from '../catalog/index.ts';
import { addDays } from '../forecasting/index.ts';
import { readSettings } from '../settings/index.ts';
import { measuredLeadTimes, type LeadTime } from './demand.service.ts';
import { centralSupply, preferredVendors } from './levels.service.ts';
import {
  echelonNeed,
  explainBinMove,
  explainPurchase,
  explainTransfer,
  needsStock,
  orderQuantity,
  planBinMoves,
  planTransfers,
  positionOf,
  shortAfterMoves,
  stopgapOrder,
  type BinStock,
  type Level,
  type LevelBasis,
  type OrderQuantity,
  type PackTerms,
  type Position,
  type SiteStock,
} from './planning.ts';

/**
 * Proposals: what to buy and what to move so that every site is back above its min. The figures
 * are read in one pass (levels, balances, open purchase orders and transfers, vendor terms,
 * measured lead times); `planning.ts` decides every quantity. Transfers are planned first, so a
 * store the warehouse can fill is not bought for, and the warehouse buys for what it gives away.
 */

export interface PurchaseProposalLine {
  itemId: string;
  sku: string;
  name: string;
  baseUnit: string;
  siteId: string;
  position: Position;
  transferIn: number;
  transferOut: number;
  /** At a warehouse: what the stores it fills still need after its moves (two-level planning); it buys for them. */
  storesShort: number;
  level: Level;
  basis: LevelBasis | null;
  order: OrderQuantity;
  terms: PackTerms;
  unitCostMicros: number | null;
  lineCostMicros: number | null;
  leadTimeDays: number;
  expectedOn: string;
  why: string;
}

export interface PurchaseProposal {
  vendorId: string | null;
  vendorName: string | null;
  currency: string | null;
  siteId: string;
  siteName: string;
  expectedOn: string | null;
  totalMicros: number | null;
  lines: PurchaseProposalLine[];
}

export interface TransferProposalLine {
  itemId: string;
  sku: string;
  name: string;
  qty: number;
  why: string;
}

export interface TransferProposal {
  sourceSiteId: string;
  sourceSiteName: string;
  destinationSiteId: string;
  destinationSiteName: string;
  lines: TransferProposalLine[];
}

export interface BinMoveProposalLine {
  itemId: string;
  sku: string;
  name: string;
  fromLocationId: string;
  fromCode: string;
  toLocationId: string;
  toCode: string;
  qty: number;
  why: string;
}

/** Moves inside one site: pick faces at or below their min, filled from the site's reserve bins. */
export interface BinMoveProposal {
  siteId: string;
  siteName: string;
  lines: BinMoveProposalLine[];
}

export interface Proposals {
  purchase: PurchaseProposal[];
  transfer: TransferProposal[];
  binMoves: BinMoveProposal[];
}

interface SiteInfo {
  id: string;
  name: string;
  kind: 'store' | 'warehouse';
}

const OPEN_PO = ['draft', 'sent', 'partially_received'] as const;
const OPEN_TRANSFER = ['requested', 'draft', 'picked', 'in_transit'] as const;
const key = (itemId: string, siteId: string) => `${itemId}|${siteId}`;

/** Every site's level of every item that has one (site levels; the deprecated shop-wide reorder point where a site has none). */
async function readLevels(ctx: ServiceContext, siteIds: string[]): Promise<Map<string, { level: Level; basis: LevelBasis | null }>> {
  const db = reader(ctx);
  const out = new Map<string, { level: Level; basis: LevelBasis | null }>();
  if (!siteIds.length) return out;
  const [rows, fallback] = await Promise.all([
    db.selectFrom('stock_levels').selectAll().where('site_id', 'in', siteIds).whereRef('location_id', '=', 'site_id').execute(),
    db.selectFrom('items').select(['id', 'reorder_point']).where('reorder_point', 'is not', null).where('status', '=', 'active').where('stocked', '=', 1).execute(),
  ]);
  for (const item of fallback) {
    const min = Number(item.reorder_point);
    for (const siteId of siteIds) out.set(key(item.id, siteId), { level: { min, max: min * 2 }, basis: null });
  }
  for (const r of rows) {
    out.set(key(r.item_id, r.site_id), { level: { min: Number(r.min_qty), max: Number(r.max_qty) }, basis: r.basis_json ? (JSON.parse(r.basis_json) as LevelBasis) : null });
  }
  return out;
}

async function readPositions(ctx: ServiceContext, siteIds: string[], itemIds: string[]): Promise<Map<string, Position>> {
  const db = reader(ctx);
  const out = new Map<string, Position>();
  const at = (itemId: string, siteId: string) => {
    const k = key(itemId, siteId);
    let p = out.get(k);
    if (!p) out.set(k, (p = { onHand: 0, reserved: 0, onOrder: 0, inTransit: 0 }));
    return p;
  };
  if (!siteIds.length || !itemIds.length) return out;
  const received = db
    .selectFrom('receipt_lines as rl')
    .innerJoin('receipts as r', 'r.id', 'rl.receipt_id')
    .select(['rl.po_line_id', sql<number>`sum(rl.qty_base)`.as('good')])
    .where('r.status', '=', 'posted')
    .where('rl.condition', '=', 'good')
    .groupBy('rl.po_line_id');
  const [balances, owed, transit] = await Promise.all([
    db
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .select(['b.item_id', 'l.site_id', sql<number>`sum(b.on_hand)`.as('on_hand'), sql<number>`sum(b.reserved)`.as('reserved')])
      .where('l.kind', '<>', 'virtual')
      .where('l.purpose', '=', 'stock')
      .where('l.site_id', 'in', siteIds)
      .where('b.item_id', 'in', itemIds)
      .groupBy(['b.item_id', 'l.site_id'])
      .execute(),
    db
      .selectFrom('purchase_order_lines as pol')
      .innerJoin('purchase_orders as po', 'po.id', 'pol.po_id')
      .leftJoin(received.as('g'), 'g.po_line_id', 'pol.id')
      .select(['pol.item_id', 'po.delivery_site_id', sql<number>`sum(case when pol.qty_base > coalesce(g.good, 0) then pol.qty_base - coalesce(g.good, 0) else 0 end)`.as('owed')])
      .where('po.status', 'in', OPEN_PO)
      .where('po.delivery_site_id', 'in', siteIds)
      .where('pol.item_id', 'in', itemIds)
      .groupBy(['pol.item_id', 'po.delivery_site_id'])
      .execute(),
    db
      .selectFrom('transfer_lines as tl')
      .innerJoin('transfers as t', 't.id', 'tl.transfer_id')
      .select([
        'tl.item_id',
        't.destination_site_id',
        sql<number>`sum(case when tl.qty_requested > tl.qty_received + tl.qty_damaged + tl.qty_lost then tl.qty_requested - tl.qty_received - tl.qty_damaged - tl.qty_lost else 0 end)`.as('coming'),
      ])
      .where('t.status', 'in', OPEN_TRANSFER)
      .where('t.destination_site_id', 'in', siteIds)
      .where('tl.item_id', 'in', itemIds)
      .groupBy(['tl.item_id', 't.destination_site_id'])
      .execute(),
  ]);
  for (const b of balances) {
    const p = at(b.item_id, b.site_id!);
    p.onHand = Number(b.on_hand);
    p.reserved = Number(b.reserved);
  }
  for (const o of owed) at(o.item_id, o.delivery_site_id).onOrder = Number(o.owed);
  for (const t of transit) at(t.item_id, t.destination_site_id).inTransit = Number(t.coming);
  return out;
}

function termsOf(item: ItemRow, vendorItem: { purchase_unit: string; pack_multiple: number | null; min_order_qty: number | null } | undefined): PackTerms {
  if (!vendorItem) return { unitName: item.base_unit, factor: QTY_SCALE, packMultiple: null, minOrder: null };
  const unit = vendorItem.purchase_unit.toLowerCase() === item.base_unit.toLowerCase() ? null : unitsOf(item).find((u) => u.name.toLowerCase() === vendorItem.purchase_unit.toLowerCase());
  return {
    unitName: unit ? unit.name : item.base_unit,
    factor: unit ? unit.factor : QTY_SCALE,
    packMultiple: vendorItem.pack_multiple === null ? null : Number(vendorItem.pack_multiple),
    minOrder: vendorItem.min_order_qty === null ? null : Number(vendorItem.min_order_qty),
  };
}

/** Purchase and transfer proposals for the granted sites (or one of them). */
export async function proposeReplenishment(
  ctx: ServiceContext,
  // `leadTimes` lets a caller that proposes many times in a row (the demo's measurement) measure them once.
  options: { siteId?: string | undefined; leadTimes?: Map<string, LeadTime> | undefined } = {},
): Promise<Proposals> {
  const db = reader(ctx);
  const siteRows = await db.selectFrom('locations').select(['id', 'name', 'site_type']).where('kind', '=', 'site').where('status', '=', 'active').orderBy('code').execute();
  const sites: SiteInfo[] = siteRows.filter((s) => canSeeSite(ctx.actor, s.id)).map((s) => ({ id: s.id, name: s.name, kind: s.site_type === 'warehouse' ? 'warehouse' : 'store' }));
  const siteIds = sites.map((s) => s.id);
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const levels = await readLevels(ctx, siteIds);
  const itemIds = [...new Set([...levels.keys()].map((k) => k.split('|')[0]!))];
  const binMoves = await proposeBinMoves(ctx, options.siteId ? sites.filter((s) => s.id === options.siteId) : sites);
  if (!itemIds.length) return { purchase: [], transfer: [], binMoves };
  const [positions, items, preferred, leadTimes, settings, central] = await Promise.all([
    readPositions(ctx, siteIds, itemIds),
    db.selectFrom('items').selectAll().where('id', 'in', itemIds).where('status', '=', 'active').where('stocked', '=', 1).execute(),
    preferredVendors(ctx, itemIds),
    options.leadTimes ?? measuredLeadTimes(ctx),
    readSettings(db),
    // Items a warehouse in view keeps a level for: its stores are filled from it, and it buys for them.
    centralSupply(ctx, itemIds, sites.filter((s) => s.kind === 'warehouse').map((s) => s.id), { levelsOnly: true }),
  ]);
  const today = localDate(ctx.clock.now(), settings.time_zone);
  const empty = (): Position => ({ onHand: 0, reserved: 0, onOrder: 0, inTransit: 0 });

  const vendorIds = [...new Set(preferred.values())];
  const [vendors, vendorItems] = await Promise.all([
    vendorIds.length ? db.selectFrom('vendors').select(['id', 'name', 'currency']).where('id', 'in', vendorIds).execute() : Promise.resolve([]),
    vendorIds.length ? db.selectFrom('vendor_items').selectAll().where('vendor_id', 'in', vendorIds).where('item_id', 'in', itemIds).execute() : Promise.resolve([]),
  ]);
  const vendorById = new Map(vendors.map((v) => [v.id, v]));
  const termsByKey = new Map(vendorItems.map((vi) => [`${vi.vendor_id}|${vi.item_id}`, vi]));

  const purchaseGroups = new Map<string, PurchaseProposal>();
  const transferGroups = new Map<string, TransferProposal>();
  for (const item of [...items].sort((a, b) => (a.sku_key < b.sku_key ? -1 : 1))) {
    const stock: SiteStock[] = sites.map((s) => {
      const at = levels.get(key(item.id, s.id));
      return {
        siteId: s.id,
        kind: s.kind,
        position: positions.get(key(item.id, s.id)) ?? empty(),
        level: at?.level ?? null,
        ...(s.kind === 'warehouse' && at?.basis?.ownKeep ? { keep: at.basis.ownKeep } : {}),
        ...(s.kind === 'warehouse' && at?.basis?.echelon ? { echelon: true, keepMax: at.basis.ownMax ?? at.basis.ownKeep ?? 0 } : {}),
        ...(at?.basis?.shelfFloor ? { shelfFloor: true } : {}),
      };
    });
    const moves = planTransfers(stock);
    const moved = new Map<string, { in: number; out: number }>();
    for (const m of moves) {
      const src = moved.get(m.sourceSiteId) ?? { in: 0, out: 0 };
      src.out += m.qty;
      moved.set(m.sourceSiteId, src);
      const dst = moved.get(m.destinationSiteId) ?? { in: 0, out: 0 };
      dst.in += m.qty;
      moved.set(m.destinationSiteId, dst);
      const gk = `${m.sourceSiteId}|${m.destinationSiteId}`;
      let group = transferGroups.get(gk);
      if (!group) {
        const source = siteById.get(m.sourceSiteId)!;
        const destination = siteById.get(m.destinationSiteId)!;
        transferGroups.set(gk, (group = { sourceSiteId: source.id, sourceSiteName: source.name, destinationSiteId: destination.id, destinationSiteName: destination.name, lines: [] }));
      }
      const dest = stock.find((s) => s.siteId === m.destinationSiteId)!;
      group.lines.push({ itemId: item.id, sku: item.sku, name: item.name, qty: m.qty, why: explainTransfer(dest, m, group.sourceSiteName) });
    }

    const fromWarehouse = central.get(item.id);
    const short = fromWarehouse ? shortAfterMoves(stock, moves) : new Map<string, number>();
    const storesShort = [...short.values()].reduce((a, b) => a + b, 0);
    const vendorId = preferred.get(item.id) ?? null;
    const vendorItem = vendorId ? termsByKey.get(`${vendorId}|${item.id}`) : undefined;
    const terms = termsOf(item, vendorItem);
    const lead = vendorId ? (leadTimes.get(vendorId) ?? { days: 7, source: 'default' as const }) : { days: 7, source: 'default' as const };
    // A store an echelon warehouse cannot fill that would be empty buys for itself, one pack towards its min, rather than wait a
    // week for the van; the warehouse's echelon stock counts that order at once.
    const selfBuys = fromWarehouse ? emptyStoresBuying(stock, fromWarehouse, short, moved, terms) : new Map<string, OrderQuantity>();
    const echelonStock = selfBuys.size === 0 ? stock : stock.map((s) => (selfBuys.has(s.siteId) ? { ...s, position: { ...s.position, onOrder: s.position.onOrder + selfBuys.get(s.siteId)!.qtyBase } } : s));
    for (const site of stock) {
      if (!site.level || (options.siteId && site.siteId !== options.siteId)) continue;
      // Otherwise a store filled from a warehouse is not bought for: what the warehouse cannot send now, the warehouse buys.
      const buysItself = selfBuys.has(site.siteId);
      if (fromWarehouse && site.kind === 'store' && !buysItself) continue;
      const flow = moved.get(site.siteId) ?? { in: 0, out: 0 };
      const echelon = site.siteId === fromWarehouse && site.echelon ? echelonNeed(site, echelonStock, flow.out) : null;
      const forStores = site.siteId === fromWarehouse && !echelon ? storesShort : 0;
      const position = echelon ? echelon.position : positionOf(site.position) + flow.in - flow.out - forStores;
      if (echelon ? !echelon.needs : !needsStock(position, site.level)) continue;
      const order = buysItself ? selfBuys.get(site.siteId)! : orderQuantity(position, site.level, terms);
      if (!order) continue;
      const basis = levels.get(key(item.id, site.siteId))?.basis ?? null;
      const unitCost = vendorItem ? Number(vendorItem.unit_cost_micros) : null;
      const expectedOn = addDays(today, basis?.leadTimeDays ?? lead.days);
      const line: PurchaseProposalLine = {
        itemId: item.id,
        sku: item.sku,
        name: item.name,
        baseUnit: item.base_unit,
        siteId: site.siteId,
        position: site.position,
        transferIn: flow.in,
        transferOut: flow.out,
        storesShort: forStores,
        level: site.level,
        basis,
        order,
        terms,
        unitCostMicros: unitCost,
        lineCostMicros: unitCost === null ? null : mulDiv(order.qty, unitCost, QTY_SCALE),
        leadTimeDays: basis?.leadTimeDays ?? lead.days,
        expectedOn,
        why: explainPurchase(site.position, site.level, basis, order, terms, flow.in, flow.out, forStores, echelon ? echelon.atStores : null) + (buysItself ? `${order.rounding === 'one_pack' ? '' : ', up to the min'}: the warehouse has none to send` : ''),
      };
      const gk = `${vendorId ?? ''}|${site.siteId}`;
      let group = purchaseGroups.get(gk);
      if (!group) {
        const vendor = vendorId ? vendorById.get(vendorId) : undefined;
        purchaseGroups.set(
          gk,
          (group = { vendorId, vendorName: vendor?.name ?? null, currency: vendor?.currency ?? null, siteId: site.siteId, siteName: siteById.get(site.siteId)!.name, expectedOn: null, totalMicros: 0, lines: [] }),
        );
      }
      group.lines.push(line);
      group.expectedOn = group.expectedOn === null || expectedOn > group.expectedOn ? expectedOn : group.expectedOn;
      group.totalMicros = group.totalMicros === null || line.lineCostMicros === null ? null : group.totalMicros + line.lineCostMicros;
    }
  }
  const purchase = [...purchaseGroups.values()].sort((a, b) => ((a.vendorName ?? '~') + a.siteName < (b.vendorName ?? '~') + b.siteName ? -1 : 1));
  return { purchase, transfer: [...transferGroups.values()].filter((g) => !options.siteId || g.destinationSiteId === options.siteId || g.sourceSiteId === options.siteId), binMoves };
}

/**
 * Pick faces (bins with a level) at or below their min, each filled from the other bins of its
 * site: what is free (on hand less reserved) in each bin of the item, read in one pass; the
 * quantities come from `planBinMoves`. A bin's level counts only its own shelf: stock on order or
 * elsewhere in the site is what the move brings, not cover for the face.
 */
async function proposeBinMoves(ctx: ServiceContext, sites: SiteInfo[]): Promise<BinMoveProposal[]> {
  const db = reader(ctx);
  const siteIds = sites.map((s) => s.id);
  if (!siteIds.length) return [];
  const faces = await db
    .selectFrom('stock_levels as sl')
    .innerJoin('locations as l', 'l.id', 'sl.location_id')
    .select(['sl.item_id', 'sl.location_id', 'sl.site_id', 'sl.min_qty', 'sl.max_qty', 'l.full_code'])
    .where('sl.site_id', 'in', siteIds)
    .where('l.kind', '=', 'bin')
    .where('l.status', '=', 'active')
    .where('l.purpose', '=', 'stock')
    .execute();
  if (!faces.length) return [];
  const itemIds = [...new Set(faces.map((f) => f.item_id))];
  const [stock, items] = await Promise.all([
    db
      .selectFrom('balances as b')
      .innerJoin('locations as l', 'l.id', 'b.location_id')
      .select(['b.item_id', 'b.location_id', 'l.site_id', 'l.full_code', sql<number>`sum(b.on_hand - b.reserved)`.as('free')])
      .where('l.kind', '=', 'bin')
      .where('l.status', '=', 'active')
      .where('l.purpose', '=', 'stock')
      .where('l.site_id', 'in', siteIds)
      .where('b.item_id', 'in', itemIds)
      .groupBy(['b.item_id', 'b.location_id', 'l.site_id', 'l.full_code'])
      .execute(),
    db.selectFrom('items').select(['id', 'sku', 'sku_key', 'name']).where('id', 'in', itemIds).where('status', '=', 'active').where('stocked', '=', 1).execute(),
  ]);
  const bins = new Map<string, BinStock[]>();
  const binsOf = (itemId: string, siteId: string) => {
    const k = key(itemId, siteId);
    let list = bins.get(k);
    if (!list) bins.set(k, (list = []));
    return list;
  };
  const levelAt = new Map(faces.map((f) => [`${f.item_id}|${f.location_id}`, { min: Number(f.min_qty), max: Number(f.max_qty) }]));
  for (const r of stock) {
    binsOf(r.item_id, r.site_id!).push({ locationId: r.location_id, code: r.full_code, free: Number(r.free), level: levelAt.get(`${r.item_id}|${r.location_id}`) ?? null });
  }
  for (const f of faces) {
    const list = binsOf(f.item_id, f.site_id);
    if (!list.some((b) => b.locationId === f.location_id)) list.push({ locationId: f.location_id, code: f.full_code, free: 0, level: levelAt.get(`${f.item_id}|${f.location_id}`)! });
  }
  const out: BinMoveProposal[] = [];
  for (const site of sites) {
    const lines: BinMoveProposalLine[] = [];
    for (const item of [...items].sort((a, b) => (a.sku_key < b.sku_key ? -1 : 1))) {
      for (const move of planBinMoves(bins.get(key(item.id, site.id)) ?? [])) {
        lines.push({
          itemId: item.id,
          sku: item.sku,
          name: item.name,
          fromLocationId: move.from.locationId,
          fromCode: move.from.code,
          toLocationId: move.to.locationId,
          toCode: move.to.code,
          qty: move.qty,
          why: explainBinMove(move),
        });
      }
    }
    if (lines.length) out.push({ siteId: site.id, siteName: site.name, lines });
  }
  return out;
}

/**
 * The stores an echelon warehouse leaves short after the planned moves and with nothing at all (on
 * hand, on order or coming), and what each buys itself: up to its min, at least one unit, in the
 * vendor's packs, one pack at most (`stopgapOrder`): enough to tide it over, while the warehouse's
 * own order, which counts this one, brings the rest and shares it out by need.
 */
function emptyStoresBuying(
  stock: readonly SiteStock[],
  warehouseId: string,
  short: ReadonlyMap<string, number>,
  moved: ReadonlyMap<string, { in: number }>,
  terms: PackTerms,
): Map<string, OrderQuantity> {
  const out = new Map<string, OrderQuantity>();
  if (!stock.find((s) => s.siteId === warehouseId)?.echelon) return out;
  for (const store of stock) {
    if (store.kind !== 'store' || !store.level || !short.has(store.siteId)) continue;
    const position = positionOf(store.position) + (moved.get(store.siteId)?.in ?? 0);
    if (position > 0) continue;
    const order = stopgapOrder(position, store.level, terms);
    if (order) out.set(store.siteId, order);
  }
  return out;
}
