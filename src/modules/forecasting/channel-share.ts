import { unbackedForecast, type DemandForecast, type DemandSeries } from './engine.ts';

/**
 * A channel's demand estimated from outside its own censored history. A web shop that sells only
 * what is in stock records no demand for an item while the item is out: its history says 0, and a
 * level planned on it stays 0, so the item is never kept for the channel again. When a site's own
 * customers (a warehouse's web shop) saw the item in stock on too few recent days, their demand is
 * read from the item's demand at the stores, scaled by the channel's share: over the items of the
 * category (the shop's, when the category has too little to go on), what the channel sold on its
 * in-stock days against what the stores sold per in-stock day over the same number of days. What
 * the item did sell on its own in-stock days is blended in, as a credibility-weighted estimate:
 * each in-stock day weighs one day, the borrowed rate `PRIOR_DAYS`.
 */

/** The recent history the share and the in-stock days are read over: eight weeks. */
export const SHARE_WINDOW_DAYS = 56;
/** Own history is trusted when the item was in stock for the channel on at least this many of those days. */
export const OWN_HISTORY_MIN_DAYS = 28;
/** How many days of in-stock history the borrowed rate weighs as, when blended with the item's own. */
export const PRIOR_DAYS = 28;
/** A category's share is used when its stores' expected sales over the channel's in-stock days reach this many units; else the shop's. */
export const SHARE_MIN_EXPOSURE = 20;

/** Units sold, and days counted, over the usable (in stock, not flagged) days among the last `window`. */
export interface InStock {
  days: number;
  sold: number;
}

export function inStockSales(series: DemandSeries, window = SHARE_WINDOW_DAYS): InStock {
  let days = 0;
  let sold = 0;
  for (let d = Math.max(0, series.values.length - window); d < series.values.length; d += 1) {
    if (series.censored?.[d] || series.flagged?.[d]) continue;
    days += 1;
    sold += series.values[d]!;
  }
  return { days, sold };
}

/** Units a day the stores sell together on their in-stock days (each store its own rate); 0 when no store was in stock. */
export function storesDailyRate(stores: readonly DemandSeries[], window = SHARE_WINDOW_DAYS): number {
  return stores.reduce((sum, s) => {
    const seen = inStockSales(s, window);
    return sum + (seen.days ? seen.sold / seen.days : 0);
  }, 0);
}

/** One item's exposure to the channel: what the channel sold on its in-stock days, and the stores' daily rate. */
export interface ChannelExposure {
  category: string | null;
  own: InStock;
  storesRate: number;
}

export interface ChannelShares {
  byCategory: Map<string, number>;
  /** The shop's share over every item, for a category with too little exposure; null when the shop has none either. */
  shop: number | null;
}

/**
 * The channel's share: Σ channel sales on its in-stock days / Σ (stores' daily rate × those days),
 * per category and shop-wide (a ratio estimator: items weigh by their exposure, not one vote each).
 * An item the stores do not sell says nothing of the ratio and is left out.
 */
export function channelShares(items: readonly ChannelExposure[]): ChannelShares {
  const sums = new Map<string, { sold: number; expected: number }>();
  const shop = { sold: 0, expected: 0 };
  for (const item of items) {
    if (item.storesRate <= 0 || item.own.days === 0) continue;
    const expected = item.storesRate * item.own.days;
    shop.sold += item.own.sold;
    shop.expected += expected;
    if (item.category === null) continue;
    const s = sums.get(item.category) ?? { sold: 0, expected: 0 };
    s.sold += item.own.sold;
    s.expected += expected;
    sums.set(item.category, s);
  }
  const byCategory = new Map<string, number>();
  for (const [category, s] of sums) if (s.expected >= SHARE_MIN_EXPOSURE) byCategory.set(category, s.sold / s.expected);
  return { byCategory, shop: shop.expected >= SHARE_MIN_EXPOSURE ? shop.sold / shop.expected : null };
}

export function shareOf(shares: ChannelShares, category: string | null): number | null {
  return (category !== null ? shares.byCategory.get(category) : undefined) ?? shares.shop;
}

/**
 * Whether the channel's own history is too thin to plan on alone: in stock on fewer than
 * `OWN_HISTORY_MIN_DAYS` recent days, or not one sale in the window (a forecast of exactly 0 keeps
 * none for the channel, so a slow item is never on its shelf; the borrowed rate, weighed against
 * those in-stock days, says how slow).
 */
export function ownHistoryTooThin(own: InStock): boolean {
  return own.days < OWN_HISTORY_MIN_DAYS || own.sold === 0;
}

/**
 * The channel's forecast borrowed from the stores' forecasts: day by day, w × the item's own
 * in-stock rate + (1 − w) × share × the stores' forecast that day, with w = in-stock days /
 * (in-stock days + `PRIOR_DAYS`). No backtest exists for it, so its error is a Poisson count's at
 * that level (as for a new item), and it plans as a count.
 */
export function borrowedForecast(
  stores: ReadonlyArray<{ forecast: DemandForecast; offset: number }>,
  share: number,
  own: InStock,
  start: string,
  horizon: number,
): DemandForecast {
  const w = own.days / (own.days + PRIOR_DAYS);
  const ownRate = own.days ? own.sold / own.days : 0;
  const mean = Array.from({ length: horizon }, (_, d) => {
    const atStores = stores.reduce((sum, { forecast, offset }) => sum + (forecast.mean[Math.min(offset + d, forecast.mean.length - 1)] ?? 0), 0);
    return w * ownRate + (1 - w) * share * atStores;
  });
  return unbackedForecast('channel_share', start, mean);
}
