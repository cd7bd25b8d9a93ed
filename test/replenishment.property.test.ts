import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { createLocation } from '../src/modules/locations/index.ts';
import { createPurchaseOrder, createVendor, sendPurchaseOrder, setVendorItem } from '../src/modules/purchasing/index.ts';
import { planning, proposeReplenishment, putLevel } from '../src/modules/replenishment/index.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem } from './support/fixtures.ts';

/**
 * Proposals at random. Pure: any sites' stock and levels through the planner — a transfer never
 * takes a source below its own min (a store on its shelf, a warehouse counting what it has on
 * order, neither more than it holds), and nothing is bought for a site whose stock, counting what
 * is on its way and what the proposal moves to it, is above its min. Through the database on both
 * dialects: a warehouse and three stores with random stock, levels and orders on their way, read
 * back by `proposeReplenishment`, with the same two promises and every order reaching the max.
 *
 * FC_RUNS sets the number of runs and FC_SEED replays one.
 */

const runs = (n: number) => Number(process.env.FC_RUNS ?? n);
const seed = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};
const units = (max: number) => fc.integer({ min: 0, max }).map((n) => n * 1000);

const siteArb = fc.record({
  warehouse: fc.boolean(),
  onHand: units(40),
  reserved: units(5),
  onOrder: units(10),
  inTransit: units(5),
  hasLevel: fc.boolean(),
  min: units(20),
  span: units(20),
  keep: units(10),
});

it('plans transfers that never take a source below its min, and only to sites that need stock', () => {
  fc.assert(
    fc.property(fc.array(siteArb, { minLength: 1, maxLength: 6 }), (raw) => {
      const sites: planning.SiteStock[] = raw.map((s, i) => ({
        siteId: `s${i}`,
        kind: s.warehouse ? 'warehouse' : 'store',
        position: { onHand: s.onHand, reserved: Math.min(s.reserved, s.onHand), onOrder: s.onOrder, inTransit: s.inTransit },
        level: s.hasLevel ? { min: s.min, max: s.min + s.span } : null,
        ...(s.warehouse ? { keep: s.keep } : {}),
      }));
      const moves = planning.planTransfers(sites);
      for (const site of sites) {
        const out = moves.filter((m) => m.sourceSiteId === site.siteId).reduce((a, m) => a + m.qty, 0);
        const into = moves.filter((m) => m.destinationSiteId === site.siteId).reduce((a, m) => a + m.qty, 0);
        if (out > 0) {
          expect(into).toBe(0);
          const free = site.position.onHand - site.position.reserved;
          // Nothing travels that is not on the shelf; a store keeps its min on the shelf, a warehouse its min counting what it has on order.
          expect(out).toBeLessThanOrEqual(free);
          if (site.kind === 'store') expect(free - out).toBeGreaterThanOrEqual(site.level?.min ?? 0);
          else {
            expect(planning.positionOf(site.position) - out).toBeGreaterThanOrEqual(site.level!.min);
            // What a warehouse keeps for its own customers stays on its shelf.
            expect(free - out).toBeGreaterThanOrEqual(site.keep ?? 0);
          }
        }
        if (into > 0) {
          // Only a store at or below its min receives, and never more than takes it to its max (rounded up to a whole unit).
          expect(site.kind).toBe('store');
          expect(planning.positionOf(site.position)).toBeLessThanOrEqual(site.level!.min);
          expect(into).toBeLessThan(site.level!.max - planning.positionOf(site.position) + 1000);
        }
      }
    }),
    { numRuns: runs(500), ...seed },
  );
});

it('an echelon warehouse never sends below its keep nor more than it holds, fills no store past its max, and buys only when its echelon stock or its own shelf is low', () => {
  const storeArb = fc.record({ onHand: units(40), reserved: units(5), inTransit: units(5), min: units(20), span: units(20) });
  fc.assert(
    fc.property(siteArb, fc.array(storeArb, { minLength: 1, maxLength: 4 }), units(10), (w, raw, extra) => {
      const warehouse: planning.SiteStock = {
        siteId: 'w',
        kind: 'warehouse',
        position: { onHand: w.onHand, reserved: Math.min(w.reserved, w.onHand), onOrder: w.onOrder, inTransit: 0 },
        level: { min: w.min, max: w.min + w.span },
        keep: w.keep,
        keepMax: w.keep + extra,
        echelon: true,
      };
      const stores: planning.SiteStock[] = raw.map((s, i) => ({
        siteId: `s${i}`,
        kind: 'store',
        position: { onHand: s.onHand, reserved: Math.min(s.reserved, s.onHand), onOrder: 0, inTransit: s.inTransit },
        level: { min: s.min, max: s.min + s.span },
      }));
      const sites = [warehouse, ...stores];
      const moves = planning.planTransfers(sites);
      const free = warehouse.position.onHand - warehouse.position.reserved;
      const sent = moves.filter((m) => m.sourceSiteId === 'w').reduce((a, m) => a + m.qty, 0);
      // The warehouse never sends what it does not hold, and what it keeps for its own customers stays; a store gives only above its max.
      expect(sent).toBeLessThanOrEqual(Math.max(0, free - w.keep));
      for (const s of stores) {
        const out = moves.filter((m) => m.sourceSiteId === s.siteId).reduce((a, m) => a + m.qty, 0);
        if (out > 0) expect(planning.positionOf(s.position) - out).toBeGreaterThanOrEqual(s.level!.max);
      }
      for (const s of stores) {
        const into = moves.filter((m) => m.destinationSiteId === s.siteId).reduce((a, m) => a + m.qty, 0);
        expect(planning.positionOf(s.position) + into).toBeLessThanOrEqual(Math.max(s.level!.max, planning.positionOf(s.position) + 999));
      }
      // It buys only when the stock of the warehouse and its stores is at or below the min, or its own shelf (less what it sends) at or below the keep.
      const need = planning.echelonNeed(warehouse, sites, sent);
      const whole = planning.echelonPosition(sites);
      const own = planning.positionOf(warehouse.position) - sent;
      if (need.needs) expect(whole <= w.min || (w.keep > 0 && own <= w.keep)).toBe(true);
      // Otherwise both are above their min (or already at their max, with nothing to order).
      else expect((whole > w.min || whole >= w.min + w.span) && (w.keep === 0 || own > w.keep || own >= w.keep + extra)).toBe(true);
      // What it orders brings both back up: to the echelon max, and its own shelf to its own max.
      if (need.needs) {
        const order = w.min + w.span - need.position;
        expect(whole + order).toBeGreaterThanOrEqual(w.min + w.span);
        if (w.keep > 0 && own <= w.keep) expect(own + order).toBeGreaterThanOrEqual(w.keep + extra);
      }
    }),
    { numRuns: runs(500), ...seed },
  );
});

it('plans pick-face moves that never take a bin with a level below its max, only into faces at or below their min, never past their max by a unit', () => {
  const binArb = fc.record({ free: units(40), hasLevel: fc.boolean(), min: units(20), span: units(20) });
  fc.assert(
    fc.property(fc.array(binArb, { minLength: 1, maxLength: 6 }), (raw) => {
      const bins: planning.BinStock[] = raw.map((b, i) => ({ locationId: `b${i}`, code: `B${i}`, free: b.free, level: b.hasLevel ? { min: b.min, max: b.min + b.span } : null }));
      const moves = planning.planBinMoves(bins);
      const out = new Map<string, number>();
      const into = new Map<string, number>();
      for (const m of moves) {
        expect(m.qty).toBeGreaterThan(0);
        expect(m.qty % 1000).toBe(0);
        expect(m.from.locationId).not.toBe(m.to.locationId);
        out.set(m.from.locationId, (out.get(m.from.locationId) ?? 0) + m.qty);
        into.set(m.to.locationId, (into.get(m.to.locationId) ?? 0) + m.qty);
      }
      for (const b of bins) {
        const given = out.get(b.locationId) ?? 0;
        const got = into.get(b.locationId) ?? 0;
        expect(given === 0 || got === 0).toBe(true);
        if (given) expect(b.free - given).toBeGreaterThanOrEqual(b.level ? b.level.max : 0);
        if (got) {
          expect(b.free).toBeLessThanOrEqual(b.level!.min);
          expect(b.free + got).toBeLessThan(b.level!.max + 1000);
        }
      }
    }),
    { numRuns: runs(500), ...seed },
  );
});

it('orders nothing for a site already covered, and enough to reach the max otherwise (or to within a pack of it, still above the min)', () => {
  const terms = fc.record({ factor: fc.constantFrom(1000, 6000, 12_000, 500), pack: fc.option(fc.constantFrom(1000, 2000, 500), { nil: null }), moq: fc.option(units(5).filter((n) => n > 0), { nil: null }) });
  fc.assert(
    fc.property(siteArb, terms, (s, t) => {
      const position = planning.positionOf({ onHand: s.onHand, reserved: Math.min(s.reserved, s.onHand), onOrder: s.onOrder, inTransit: s.inTransit });
      const level = { min: s.min, max: s.min + s.span };
      const needs = planning.needsStock(position, level);
      if (position > level.min) expect(needs).toBe(false);
      if (!needs) return;
      const order = planning.orderQuantity(position, level, { unitName: 'case', factor: t.factor, packMultiple: t.pack, minOrder: t.moq });
      expect(order).not.toBeNull();
      if (order!.rounding === 'rounded_down') {
        const packBase = ((t.pack ?? 1000) * t.factor) / 1000;
        expect(position + order!.qtyBase).toBeGreaterThan(level.min);
        expect(level.max - (position + order!.qtyBase)).toBeLessThan(packBase);
      } else {
        expect(position + order!.qtyBase).toBeGreaterThanOrEqual(level.max);
      }
      if (t.pack) expect(order!.qty % t.pack).toBe(0);
      if (t.moq) expect(order!.qty).toBeGreaterThanOrEqual(t.moq);
    }),
    { numRuns: runs(500), ...seed },
  );
});

describeEachDatabase('replenishment proposals at random', (get) => {
  it('never take a source below its min and never order for a site already covered', async () => {
    const ctx = serviceContext(get().db);
    let run = 0;
    const vendor = await createVendor(ctx, { name: `Prop vendor ${Date.now()}` } as never);
    await fc.assert(
      fc.asyncProperty(fc.array(siteArb, { minLength: 4, maxLength: 4 }), async (raw) => {
        run += 1;
        const tag = `${run}${Date.now().toString(36).slice(-4)}`.toUpperCase();
        const item = await makeItem(ctx);
        await setVendorItem(ctx, vendor.id, item.id, { unit_cost: 1_000_000, preferred: true } as never);
        const sites: Array<{ id: string; kind: 'store' | 'warehouse'; min: number | null; max: number | null; free: number; position: number }> = [];
        for (const [i, s] of raw.entries()) {
          const kind = i === 0 ? 'warehouse' : 'store';
          const site = await createLocation(ctx, { kind: 'site', code: `RP${tag}${i}`, name: `Site ${i}`, site_type: kind } as never);
          if (s.onHand) await createAdjustment(ctx, { location_id: site.id, reason: 'found', lines: [{ item_id: item.id, qty: s.onHand, unit_cost: 1_000_000 }] } as never);
          if (s.onOrder) {
            const po = await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: item.id, qty: s.onOrder }] });
            await sendPurchaseOrder(ctx, po.id);
          }
          const hasLevel = kind === 'store' || s.hasLevel;
          if (hasLevel) await putLevel(ctx, item.id, site.id, { min: s.min, max: s.min + s.span });
          sites.push({ id: site.id, kind, min: hasLevel ? s.min : null, max: hasLevel ? s.min + s.span : null, free: s.onHand, position: s.onHand + s.onOrder });
        }
        const proposals = await proposeReplenishment(ctx);
        const moves = proposals.transfer.flatMap((g) => g.lines.filter((l) => l.itemId === item.id).map((l) => ({ from: g.sourceSiteId, to: g.destinationSiteId, qty: l.qty })));
        for (const site of sites) {
          const out = moves.filter((m) => m.from === site.id).reduce((a, m) => a + m.qty, 0);
          if (!out) continue;
          expect(out).toBeLessThanOrEqual(site.free);
          if (site.kind === 'store') expect(site.free - out).toBeGreaterThanOrEqual(site.min ?? 0);
          else expect(site.position - out).toBeGreaterThanOrEqual(site.min!);
        }
        // Two-level: a warehouse keeping a level above zero fills its stores, and they buy nothing for themselves.
        const central = sites[0]!.max !== null && sites[0]!.max > 0;
        if (central) expect(proposals.purchase.filter((g) => g.siteId !== sites[0]!.id && g.lines.some((l) => l.itemId === item.id))).toEqual([]);
        for (const group of proposals.purchase) {
          for (const line of group.lines.filter((l) => l.itemId === item.id)) {
            const position = planning.positionOf(line.position) + line.transferIn - line.transferOut - line.storesShort;
            expect(position).toBeLessThanOrEqual(line.level.min);
            if (line.order.rounding === 'rounded_down') expect(position + line.order.qtyBase).toBeGreaterThan(line.level.min);
            else expect(position + line.order.qtyBase).toBeGreaterThanOrEqual(line.level.max);
          }
        }
        // What the stores at or below their min still lack after the transfers, in whole units: the
        // warehouse counts it against its own position (on hand and on order) before it buys.
        const movedTo = (id: string) => moves.filter((m) => m.to === id).reduce((a, m) => a + m.qty, 0);
        const storesShort = sites
          .filter((s) => s.kind === 'store' && s.position <= s.min!)
          .reduce((a, s) => a + Math.max(0, Math.ceil((s.max! - s.position) / 1000) * 1000 - movedTo(s.id)), 0);
        const warehouseOut = moves.filter((m) => m.from === sites[0]!.id).reduce((a, m) => a + m.qty, 0);
        // Excused only once the warehouse has sent all it could: nothing free left, or one unit more
        // would take it below its min.
        const warehouse = sites[0]!;
        const warehouseSpent = warehouse.free - warehouseOut < 1000 || warehouse.position - warehouseOut - 1000 < warehouse.min!;
        const warehouseCovers = central && warehouseSpent && warehouse.position - warehouseOut - storesShort > warehouse.min!;
        // Every site at or below its min, counting what is on its way, is proposed for (bought or
        // moved), or its warehouse's pipeline already holds what it lacks.
        for (const site of sites.filter((s) => s.min !== null && s.kind === 'store')) {
          const raw0 = raw[sites.indexOf(site)]!;
          const position = raw0.onHand + raw0.onOrder;
          const max = raw0.min + raw0.span;
          if (position <= raw0.min && max > position) {
            const bought = proposals.purchase.some((g) => g.siteId === site.id && g.lines.some((l) => l.itemId === item.id));
            const moved = moves.some((m) => m.to === site.id);
            // What the warehouse that fills it cannot send, the warehouse buys for it.
            const boughtForIt = central && proposals.purchase.some((g) => g.siteId === sites[0]!.id && g.lines.some((l) => l.itemId === item.id && l.storesShort > 0));
            expect(bought || moved || boughtForIt || warehouseCovers).toBe(true);
          }
        }
      }),
      { numRuns: runs(12), ...seed },
    );
  }, 300_000);
});
