import type { PickableStock } from '../ledger/index.ts';
import { comparePickable } from '../ledger/index.ts';
import type { Part } from './consumption.ts';

/**
 * Where an online order's stock comes from. Shops disagree on this, so it sits behind a small
 * strategy; the default, `nearestSiteFirst`, offers the whole order to the channel's sites in
 * their priority order and takes the first that can ship all of it; when none can, each line is
 * covered across the sites in that order. Within a site, expiring lots go first (FEFO), then the
 * bins in walking order. A line is covered whole or not at all (a back-ordered line reserves
 * nothing).
 */

export interface LineNeed {
  lineId: string;
  /** What is still to be reserved for the line, per stocked item. */
  parts: Part[];
}

export interface Allocation {
  lineId: string;
  itemId: string;
  locationId: string;
  lotId: string;
  qty: number;
}

export interface AllocationPlan {
  allocations: Allocation[];
  /** Lines the stock cannot cover. */
  uncovered: string[];
}

export interface AllocationStrategy {
  plan(needs: readonly LineNeed[], stock: readonly PickableStock[], sitePriority: readonly string[]): AllocationPlan;
}

export const nearestSiteFirst: AllocationStrategy = {
  plan(needs, stock, sitePriority) {
    for (const site of sitePriority) {
      const attempt = takeLines(needs, stock.filter((s) => s.siteId === site));
      if (attempt.uncovered.length === 0) return attempt;
    }
    const rank = new Map(sitePriority.map((site, i) => [site, i]));
    const ordered = [...stock].sort((a, b) => rank.get(a.siteId)! - rank.get(b.siteId)! || comparePickable(a, b));
    return takeLines(needs, ordered);
  },
};

/** Covers each line in turn from `stock`, in the order given; a line that cannot be covered whole takes nothing. */
function takeLines(needs: readonly LineNeed[], stock: readonly PickableStock[]): AllocationPlan {
  const spare = stock.map((s) => s.available);
  const plan: AllocationPlan = { allocations: [], uncovered: [] };
  for (const need of needs) {
    const taken: Array<{ index: number; qty: number; itemId: string }> = [];
    let covered = true;
    for (const part of need.parts) {
      let left = part.qty;
      stock.forEach((s, index) => {
        if (left === 0 || s.itemId !== part.itemId || spare[index]! === 0) return;
        const qty = Math.min(left, spare[index]!);
        spare[index]! -= qty;
        left -= qty;
        taken.push({ index, qty, itemId: part.itemId });
      });
      if (left > 0) covered = false;
    }
    if (!covered) {
      for (const t of taken) spare[t.index]! += t.qty;
      plan.uncovered.push(need.lineId);
      continue;
    }
    for (const t of taken) {
      const s = stock[t.index]!;
      plan.allocations.push({ lineId: need.lineId, itemId: t.itemId, locationId: s.locationId, lotId: s.lotId, qty: t.qty });
    }
  }
  return plan;
}
