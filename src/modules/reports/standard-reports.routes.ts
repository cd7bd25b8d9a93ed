import { z } from 'zod';
import { canSeeCosts, type ServiceContext } from '../../platform/context.ts';
import { toIsoOrNull } from '../../platform/clock.ts';
import { contextOf, type CommandDeps } from '../../platform/http/command.ts';
import { dateInput, fileResponse, idInput, instantInput } from '../../platform/http/fields.ts';
import type { AppInstance } from '../../platform/http/route.ts';
import { inventoryChangeTable } from './inventory-change.service.ts';
import { abcTable, profitabilityTable, salesBreakdownTable, sellThroughTable } from './sales-reports.service.ts';
import { deadStockTable, discountsTable, expiringLotsTable, lowStockTable, shrinkageTable } from './stock-reports.service.ts';
import { tableCsv, tableJson, tableXlsx, visibleTable, XLSX_MEDIA_TYPE, type ReportTable } from './report-table.ts';
import { inventoryValuation } from './valuation.service.ts';
import type { ReportFilters } from './report-scope.ts';

/**
 * The standard reports. Each answers one table (`GET /api/v1/reports/<name>`) and the same table
 * as a file (`GET /api/v1/reports/<name>/export?format=csv|xlsx`), with the same filters.
 *
 * Costs: the inventory-change report is nothing but stock values, so it needs `costs.read` (403
 * otherwise, like the valuation report). Every other report is open to anyone who may read stock
 * at the sites asked for, and its cost columns (cost of goods, margins, values) are left out for
 * those who may not see costs — in JSON and in the exports alike.
 */

const filterFields = {
  from: dateInput.meta({ description: 'First day of the period (the shop’s time zone).' }),
  to: dateInput.meta({ description: 'Last day of the period, included.' }),
  site_id: idInput('loc').optional().meta({ description: 'One site; without it every site the caller may see.' }),
  category: z.string().max(100).optional(),
  vendor_id: idInput('ven').optional().meta({ description: 'Items the vendor supplies (for sales: the item’s preferred vendor).' }),
  item_id: idInput('itm').optional(),
};
const channelField = { channel_id: z.union([idInput('chn'), z.literal('counter')]).optional().meta({ description: 'A sales channel, or `counter` for sales rung up at a store.' }) };
const asOfFields = { site_id: filterFields.site_id, category: filterFields.category, vendor_id: filterFields.vendor_id, item_id: filterFields.item_id };

type Query = Record<string, any>;

const filtersOf = (q: Query): ReportFilters => ({ from: q.from, to: q.to, siteId: q.site_id, category: q.category, vendorId: q.vendor_id, itemId: q.item_id, channelId: q.channel_id });

interface StandardReport {
  summary: string;
  description: string;
  permission: 'costs.read' | 'stock.read';
  query: z.ZodRawShape;
  run(ctx: ServiceContext, q: Query): Promise<ReportTable>;
}

const REPORTS: Record<string, StandardReport> = {
  'inventory-change': {
    summary: 'Inventory change: opening stock, every movement in or out by kind and reason, closing stock',
    description:
      'A roll-forward over the period. Opening and closing are the valuation report as of the instants in `meta` (the last millisecond before the period and the last inside it), so both ends agree with it to the micro. Receipts are shown without their landed costs, which have their own line. For a site, a revaluation line shows how much the shop-wide unit cost moved the value of what the site held; it is zero for the whole shop. Costs only: 403 without `costs.read`.',
    permission: 'costs.read',
    query: filterFields,
    run: (ctx, q) => inventoryChangeTable(ctx, filtersOf(q)),
  },
  profitability: {
    summary: 'Profitability: revenue, discounts, cost of goods, gross margin, margin %, GMROI and stock turns',
    description:
      'Counter sales rung up in the period (net of their returns) and order lines first shipped in it. `by` groups by item, category, the item’s preferred vendor, channel (`counter` for the stores) or site. GMROI is margin over the average stock at cost (mean of the valuation at the period’s two ends); stock turns are cost of goods over it. Cost columns are left out for staff.',
    permission: 'stock.read',
    query: { ...filterFields, ...channelField, by: z.enum(['item', 'category', 'vendor', 'channel', 'site']).default('item') },
    run: (ctx, q) => profitabilityTable(ctx, filtersOf(q), q.by),
  },
  sales: {
    summary: 'Sales by item, category, hour of the day, weekday or day',
    description: 'The same sales as profitability, grouped by `by`; hours and weekdays are the shop’s (settings time zone), every hour and weekday listed. Cost of goods is left out for staff.',
    permission: 'stock.read',
    query: { ...filterFields, ...channelField, by: z.enum(['item', 'category', 'hour', 'weekday', 'day']).default('item') },
    run: (ctx, q) => salesBreakdownTable(ctx, filtersOf(q), q.by),
  },
  abc: {
    summary: 'ABC classes of items by value (revenue) and by volume (quantity sold)',
    description: 'A: the items making the first 80 % of the total, B the next 15 %, C the rest; an item is classed by the running total before it.',
    permission: 'stock.read',
    query: { ...filterFields, ...channelField },
    run: (ctx, q) => abcTable(ctx, filtersOf(q)),
  },
  'sell-through': {
    summary: 'Sell-through of items created in the period: received, sold, sold over received',
    description: 'Items created in the period, with what receipts brought into the scope and what sold, both within the period.',
    permission: 'stock.read',
    query: filterFields,
    run: (ctx, q) => sellThroughTable(ctx, filtersOf(q)),
  },
  losses: {
    summary: 'Shrinkage and losses: stock lost (count variances, damage, theft, expiry, scrap) and found, by reason, site, category or employee',
    description: 'Every movement between the shelf and the adjustment or scrap locations in the period — count variances and every adjustment reason alike, opening balances left out (`GET /api/v1/reports/shrinkage` reads posted count variances alone). Net loss % of sales is the net loss at cost over the period’s revenue in the same scope. Values are left out for staff.',
    permission: 'stock.read',
    query: { ...filterFields, by: z.enum(['reason', 'site', 'category', 'employee']).default('reason') },
    run: (ctx, q) => shrinkageTable(ctx, filtersOf(q), q.by),
  },
  discounts: {
    summary: 'Discounts and voids on counter sales, by employee, reason or day, with the sales behind them',
    description: 'Sales rung up in the period. Discounts are counted where they were given (the discount’s employee); voids under the employee who rang the sale.',
    permission: 'stock.read',
    query: { from: filterFields.from, to: filterFields.to, site_id: filterFields.site_id, ...channelField, by: z.enum(['employee', 'reason', 'day']).default('employee') },
    run: (ctx, q) => discountsTable(ctx, filtersOf(q), q.by),
  },
  'dead-stock': {
    summary: 'Dead and slow stock: no sale in N days, days since the last sale, value tied up, weeks of cover',
    description: 'As of now. Dead: on the shelf and not sold in `days` days (or never). Slow: sold, but the stock would last more than `cover_weeks` weeks at the last four weeks’ rate. Value is left out for staff.',
    permission: 'stock.read',
    query: { ...asOfFields, days: z.coerce.number().int().min(1).max(3660).default(90), cover_weeks: z.coerce.number().int().min(1).max(520).default(26) },
    run: (ctx, q) => deadStockTable(ctx, filtersOf(q), { days: q.days, coverWeeks: q.cover_weeks }),
  },
  'expiring-lots': {
    summary: 'Lots on the shelf that expire within N days, or already have',
    description: 'Soonest first. Value is left out for staff.',
    permission: 'stock.read',
    query: { ...asOfFields, days: z.coerce.number().int().min(0).max(3660).default(30) },
    run: (ctx, q) => expiringLotsTable(ctx, filtersOf(q), q.days),
  },
  'low-stock': {
    summary: 'Low stock: items out of stock or at or below their reorder point, with what is on order',
    description: 'The stock alerts as a report table.',
    permission: 'stock.read',
    query: { site_id: filterFields.site_id },
    run: (ctx, q) => lowStockTable(ctx, { siteId: q.site_id }),
  },
};

const cell = z.union([z.string(), z.number(), z.null()]);
export const reportOutput = z
  .object({
    report: z.string(),
    title: z.string(),
    meta: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).meta({ description: 'The period, the as-of instants and the filters the table covers.' }),
    columns: z.array(z.object({ key: z.string(), label: z.string(), type: z.enum(['text', 'date', 'int', 'qty', 'money', 'percent', 'decimal']) })),
    data: z.array(z.record(z.string(), cell)).meta({ description: 'One object per row, keyed by column; `drill` is the API query listing what is behind the row (or null).' }),
    totals: z.record(z.string(), cell).nullable(),
    truncated: z.boolean(),
  })
  .meta({ id: 'ReportTable' });

const formatField = { format: z.enum(['csv', 'xlsx']).default('csv').meta({ description: 'csv: RFC 4180, UTF-8 with a byte-order mark. xlsx: numbers as numbers, dates as dates.' }) };

export const STANDARD_REPORT_NAMES = Object.keys(REPORTS);

/**
 * A standard report by name, from query parameters as the API takes them (strings), validated
 * by the same schema; for the CLI. Cost columns are left out for an actor who may not see costs.
 */
export async function runStandardReport(ctx: ServiceContext, name: string, query: Record<string, string>): Promise<ReportTable> {
  const report = REPORTS[name];
  if (!report) throw new Error(`no report ${name}; the reports are ${STANDARD_REPORT_NAMES.join(', ')}`);
  const parsed = z.strictObject(report.query).parse(query) as Query;
  return visibleTable(await report.run(ctx, parsed), canSeeCosts(ctx.actor));
}

export function registerStandardReportRoutes(app: AppInstance, deps: CommandDeps): void {
  for (const [name, report] of Object.entries(REPORTS)) {
    const access = { permission: report.permission, ...('site_id' in report.query ? { location: { from: 'query' as const, field: 'site_id' } } : {}) };
    const errors = ['location_not_found'];
    app.get(`/api/v1/reports/${name}`, {
      schema: { tags: ['reports'], summary: report.summary, description: report.description, querystring: z.strictObject(report.query), response: { 200: reportOutput } },
      config: { access, errors },
      handler: async (request) => {
        const ctx = contextOf(deps, request);
        return tableJson(visibleTable(await report.run(ctx, request.query as Query), canSeeCosts(ctx.actor)));
      },
    });
    app.get(`/api/v1/reports/${name}/export`, {
      schema: {
        tags: ['reports'],
        summary: `${report.summary} — as CSV or XLSX`,
        description: `The same table as \`GET /api/v1/reports/${name}\`, as a file. Cells that a spreadsheet would run as a formula are made text.`,
        querystring: z.strictObject({ ...report.query, ...formatField }),
        response: fileResponse(['text/csv', XLSX_MEDIA_TYPE], 'The report as a file.'),
      },
      config: { access, errors },
      handler: async (request, reply) => {
        const ctx = contextOf(deps, request);
        const q = request.query as Query;
        const table = visibleTable(await report.run(ctx, q), canSeeCosts(ctx.actor));
        return sendTable(reply, table, q.format, fileName(name, q));
      },
    });
  }

  app.get('/api/v1/reports/valuation/export', {
    schema: {
      tags: ['reports'],
      summary: 'Inventory valuation per item — as CSV or XLSX',
      description: 'The same lines as `GET /api/v1/reports/valuation`, as a file.',
      querystring: z.strictObject({ location_id: idInput('loc').optional(), as_of: instantInput.optional(), category: z.string().max(100).optional(), ...formatField }),
      response: fileResponse(['text/csv', XLSX_MEDIA_TYPE], 'The valuation as a file.'),
    },
    config: { access: { permission: 'costs.read', location: { from: 'query', field: 'location_id' } }, errors: ['location_not_found'] },
    handler: async (request, reply) => {
      const q = request.query;
      const report = await inventoryValuation(contextOf(deps, request), { locationId: q.location_id, asOf: q.as_of, category: q.category });
      const table: ReportTable = {
        report: 'valuation',
        title: 'Inventory valuation',
        meta: { as_of: toIsoOrNull(report.asOf), location_id: report.locationId },
        columns: [
          { key: 'item_id', label: 'Item id', type: 'text' },
          { key: 'sku', label: 'SKU', type: 'text' },
          { key: 'name', label: 'Name', type: 'text' },
          { key: 'category', label: 'Category', type: 'text' },
          { key: 'on_hand', label: 'On hand', type: 'qty' },
          { key: 'unit_cost', label: 'Unit cost', type: 'money', cost: true },
          { key: 'value', label: 'Value', type: 'money', cost: true },
        ],
        rows: report.lines.map((l) => ({ cells: { item_id: l.itemId, sku: l.sku, name: l.name, category: l.category, on_hand: l.qty, unit_cost: l.unitCost, value: l.value }, drill: null })),
        totals: { item_id: null, value: report.totalValue },
        truncated: false,
      };
      return sendTable(reply, table, q.format, 'valuation');
    },
  });
}

function fileName(name: string, q: Query): string {
  const period = q.from && q.to ? `-${q.from}-to-${q.to}` : '';
  return `${name}${period}`;
}

export async function sendTable(reply: any, table: ReportTable, format: 'csv' | 'xlsx', name: string) {
  if (format === 'xlsx') {
    const body = await tableXlsx(table);
    return reply.type(XLSX_MEDIA_TYPE).header('content-disposition', `attachment; filename="${name}.xlsx"`).send(body as unknown as string);
  }
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(tableCsv(table));
}
