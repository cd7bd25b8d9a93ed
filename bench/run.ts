import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { postgresAvailable } from './lib/databases.ts';
import { printTable, ratio, type BenchRow } from './lib/report.ts';
import { benchAdjustments } from './scenarios/adjustments.ts';
import { benchAlerts } from './scenarios/alerts.ts';
import { benchBarcodeLookup } from './scenarios/barcode.ts';
import { benchBigShop } from './scenarios/big-shop.ts';
import { benchCounts } from './scenarios/counts.ts';
import { benchConnectors } from './scenarios/connectors.ts';
import { benchDeliveries } from './scenarios/deliveries.ts';
import { benchForecast } from './scenarios/forecast.ts';
import { benchGroupCommit } from './scenarios/group-commit.ts';
import { benchRecost, benchReceipts } from './scenarios/receipts.ts';
import { benchOrders } from './scenarios/orders.ts';
import { benchSales } from './scenarios/sales.ts';
import { benchReports } from './scenarios/reports.ts';
import { benchSnapshots } from './scenarios/snapshots.ts';
import { benchWeb } from './scenarios/web.ts';
import { benchImports } from './scenarios/imports.ts';
import type { BenchContext } from './scenarios/context.ts';

/**
 * `npm run bench`: every figure beside a ceiling measured in the same run, so the ratios mean
 * something on a noisy machine. `--only a,b` runs some scenarios, `--quick` shortens each
 * phase (for CI), `--out FILE` writes the JSON (default bench/results/latest.json), `--shop-scale N`
 * and `--shop-days D` set the simulated shop the big-shop scenario reads (default 100 and 120; quick
 * 1 and 30). It is generated once and kept in bench/.cache (the default one in about twenty minutes).
 */
const scenarios: Record<string, (ctx: BenchContext) => Promise<BenchRow[]>> = {
  sales: benchSales,
  orders: benchOrders,
  receipts: benchReceipts,
  recost: benchRecost,
  adjustments: benchAdjustments,
  barcode: benchBarcodeLookup,
  'big-shop': benchBigShop,
  counts: benchCounts,
  deliveries: benchDeliveries,
  reports: benchReports,
  snapshots: benchSnapshots,
  forecast: benchForecast,
  web: benchWeb,
  alerts: benchAlerts,
  connectors: benchConnectors,
  imports: benchImports,
  'group-commit': benchGroupCommit,
};

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    'shop-scale': { type: 'string' },
    'shop-days': { type: 'string' },
    out: { type: 'string', default: 'bench/results/latest.json' },
    'no-postgres': { type: 'boolean', default: false },
  },
});

const chosen = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(scenarios);
for (const name of chosen) if (!scenarios[name]) throw new Error(`unknown scenario ${name}; choose from ${Object.keys(scenarios).join(', ')}`);
const postgres = !values['no-postgres'] && (await postgresAvailable());
const context: BenchContext = {
  quick: values.quick,
  seconds: Number(values.seconds ?? (values.quick ? 1 : 4)),
  postgres,
  shopScale: Number(values['shop-scale'] ?? (values.quick ? 1 : 100)),
  shopDays: Number(values['shop-days'] ?? (values.quick ? 30 : 120)),
  log: (message) => process.stderr.write(`  … ${message}\n`),
};
if (!postgres) process.stderr.write('PostgreSQL is not reachable: PostgreSQL figures are skipped.\n');

const rows: BenchRow[] = [];
const started = Date.now();
for (const [i, name] of chosen.entries()) {
  process.stderr.write(`[${i + 1}/${chosen.length}] ${name}\n`);
  rows.push(...(await scenarios[name]!(context)));
}
const table = printTable(rows);
console.log(`\nStockroom benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}${values.quick ? ' (quick)' : ''}\n`);
console.log(table);
fs.mkdirSync(path.dirname(values.out!), { recursive: true });
fs.writeFileSync(
  values.out!,
  JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, quick: values.quick, seconds: context.seconds, elapsedMs: Date.now() - started, rows: rows.map((r) => ({ ...r, ofCeiling: ratio(r) })) }, null, 2),
);
console.log(`\nWrote ${values.out} (${((Date.now() - started) / 1000).toFixed(0)} s).`);
