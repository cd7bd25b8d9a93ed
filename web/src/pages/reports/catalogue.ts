/** The standard reports the Reports section offers, with the filters each one takes. */

export interface ReportFilterSpec {
  period: boolean;
  /** Values the `by` parameter takes, first is the default. */
  by?: readonly string[];
  channel?: boolean;
  items?: boolean;
  days?: { label: string; default: number };
  coverWeeks?: boolean;
}

export interface ReportSpec {
  name: string;
  title: string;
  blurb: string;
  /** Only stock values: hidden from those who may not see costs. */
  costsOnly?: boolean;
  filters: ReportFilterSpec;
  /** The column charted as bars, when there is one worth charting. */
  chart?: string;
}

export const REPORTS: readonly ReportSpec[] = [
  { name: 'inventory-change', title: 'Inventory change', blurb: 'Opening stock, every movement in and out by kind and reason, closing stock — agrees with the valuation at both ends.', costsOnly: true, filters: { period: true, items: true }, chart: 'value' },
  { name: 'profitability', title: 'Profitability', blurb: 'Revenue, discounts, cost of goods, margin, GMROI and stock turns.', filters: { period: true, items: true, channel: true, by: ['item', 'category', 'vendor', 'channel', 'site'] }, chart: 'revenue' },
  { name: 'sales', title: 'Sales by item, category, hour, weekday', blurb: 'When and what sells: the rush hours and the best days.', filters: { period: true, items: true, channel: true, by: ['hour', 'weekday', 'day', 'item', 'category'] }, chart: 'revenue' },
  { name: 'dead-stock', title: 'Dead and slow stock', blurb: 'What has not sold in a while, and the money tied up in it.', filters: { period: false, items: true, days: { label: 'No sale in (days)', default: 90 }, coverWeeks: true }, chart: 'value' },
  { name: 'losses', title: 'Shrinkage and losses', blurb: 'Count variances, damage, theft, expiry and scrap — by reason, site, category or employee.', filters: { period: true, items: true, by: ['reason', 'site', 'category', 'employee'] }, chart: 'lost_qty' },
  { name: 'discounts', title: 'Discounts and voids', blurb: 'Who gave discounts and voided sales, why, and when.', filters: { period: true, channel: true, by: ['employee', 'reason', 'day'] }, chart: 'discount_amount' },
  { name: 'abc', title: 'ABC classes', blurb: 'Items classed A, B, C by revenue and by quantity sold.', filters: { period: true, items: true, channel: true }, chart: 'revenue' },
  { name: 'sell-through', title: 'Sell-through of new items', blurb: 'Of what came in for new items, how much sold.', filters: { period: true, items: true } },
  { name: 'low-stock', title: 'Low stock', blurb: 'Out of stock or at the reorder point, with what is on order.', filters: { period: false } },
  { name: 'expiring-lots', title: 'Expiring lots', blurb: 'Lots on the shelf that expire soon, or already have.', filters: { period: false, items: true, days: { label: 'Expiring within (days)', default: 30 } } },
];

/** The API drill-down behind a row, as a page of the web app where there is one. */
export function drillPage(drill: string): string | null {
  const url = new URL(drill, 'http://x');
  if (url.pathname === '/api/v1/movements') return `/stock/movements${url.search}`;
  if (url.pathname === '/api/v1/sales') return `/selling/sales${url.search}`;
  if (url.pathname === '/api/v1/reports/valuation') return `/stock${url.search}`;
  return null;
}
