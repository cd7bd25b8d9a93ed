import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDemoShop, type DemoShopSummary } from '../src/demo/demo-shop.ts';
import type { DemoPurchasing } from '../src/demo/demo-replenishment.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { formatMoney } from '../src/platform/money.ts';

/**
 * The demo shop twice from the same seed: once buying with the simulator's private reorder logic
 * (today's demo), once with Stockroom's own proposals (levels suggested every Sunday from four weeks
 * on, proposals ordered on each vendor's order day). Prints stock-out days and average stock value
 * at purchase cost for both. Not part of `npm run bench`: a full run builds two shops.
 *
 *   npx tsx bench/replenishment-demo.ts --days 180
 */
const { values } = parseArgs({ options: { days: { type: 'string', default: '180' }, seed: { type: 'string' }, only: { type: 'string' }, 'max-cover': { type: 'string', default: 'review' }, groups: { type: 'boolean', default: false } } });
const days = Number(values.days);

async function run(purchasing: DemoPurchasing): Promise<DemoShopSummary> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-replenish-'));
  const db = await openDatabase({ url: path.join(dir, 'shop.db') });
  const started = Date.now();
  try {
    let lastLog = 0;
    const summary = await loadDemoShop(
      { db, clock: systemClock, actor: systemActor },
      {
        days,
        purchasing,
        levelsMaxCover: values['max-cover'] === 'none' ? 'none' : 'review',
        measureStock: true,
        ...(values.seed ? { seed: Number(values.seed) } : {}),
        onProgress: ({ phase, done, total }) => {
          if (Date.now() - lastLog < 30_000 && done !== total) return;
          lastLog = Date.now();
          console.error(`${purchasing}: ${phase} ${done}/${total} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        },
      },
    );
    console.error(`${purchasing}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return summary;
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const row = (name: string, s: DemoShopSummary) =>
  `${name.padEnd(24)} stock-out days ${String(s.stock!.stockOutDays).padStart(7)}   average stock value ${formatMoney(s.stock!.averageStockValueMicros).padStart(14)}   purchase orders ${s.purchaseOrders}` +
  `\n${''.padEnd(24)} by site (Main Street, Harbour, warehouse): ${s.stock!.bySite.map((x) => `${x.stockOutDays} / ${formatMoney(x.averageStockValueMicros)}`).join(', ')}` +
  (values.groups ? s.stock!.byGroup.map((g) => `\n${''.padEnd(26)}${g.group.padEnd(32)} ${g.bySite.map((x) => `${String(x.stockOutDays).padStart(5)} / ${formatMoney(x.averageStockValueMicros).padStart(10)}`).join('   ')}`).join('') : '');
// `--only simulator|stockroom` runs one side (two processes can then share the work).
const sides: DemoPurchasing[] = values.only ? [values.only as DemoPurchasing] : ['simulator', 'stockroom'];
for (const side of sides) {
  const summary = await run(side);
  console.log(`demo shop, ${days} days, seed ${summary.seed}: ${row(side === 'simulator' ? 'simulator buys (today)' : 'Stockroom proposals buy', summary)}`);
}
