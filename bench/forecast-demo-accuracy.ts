/**
 * The demo shop's forecast figures: `npx tsx bench/forecast-demo-accuracy.ts DB [END_DATE…]` runs
 * the forecast job on a demo database (built with `stockroom demo --no-serve`), prints the
 * accuracy report (out-of-sample RMSSE and bias against weekly seasonal naive, per class, category
 * and method), then each listed item's forecast (SKUS=…, default the gloves and café supplies)
 * with its history ending on each END_DATE, to see the winter peak and the weekday pattern.
 */
import { openDatabase } from '../src/platform/db/database.ts';
import { systemActor } from '../src/platform/context.ts';
import { systemClock } from '../src/platform/clock.ts';
import { runForecasts, forecastItem } from '../src/modules/forecasting/index.ts';
import { forecastAccuracy } from '../src/modules/forecasting/forecast-accuracy.service.ts';
import { addDays } from '../src/modules/forecasting/engine.ts';

const db = await openDatabase({ url: process.argv[2]! });
const ctx = { db, clock: systemClock, actor: systemActor };
const t0 = Date.now();
const run = await runForecasts(ctx, { trigger: 'eval' });
console.log('run', run, (Date.now() - t0) / 1000, 's', 'load', (await import('node:os')).loadavg()[0]);
const report = await forecastAccuracy(ctx, {});
const g = (x: any) => `${x.key.padEnd(26)} n=${String(x.forecasts).padStart(4)} rmsse ${x.rmsse} vs snaive ${x.benchmarkRmsse}  bias ${x.bias} vs ${x.benchmarkBias}  beats ${x.beatsBenchmark}`;
console.log(g(report.overall));
for (const x of report.byClass) console.log(' class', g(x));
for (const x of report.byCategory) console.log(' cat', g(x));
for (const x of report.byMethod) console.log(' method', g(x));
const sites = await db.kysely.selectFrom('locations').where('kind', '=', 'site').select(['id', 'code']).execute();
const code = new Map(sites.map((s) => [s.id, s.code]));
for (const sku of (process.env.SKUS ?? "GLOVE-WOOL-M,GLOVE-WOOL-L,GLOVE-LEATH,BEAN-ESP-1KG,MILK-WHOLE,CUP-12OZ").split(",")) {
  const item = await db.kysely.selectFrom('items').where('sku', '=', sku).select(['id']).executeTakeFirst();
  if (!item) continue;
  for (const endOn of process.argv.slice(3)) {
    const fs = await forecastItem(ctx, item.id, { endOn });
    for (const f of fs) {
      const v = f.history.series.values;
      const summer = v.slice(-200, -110); // roughly
      const m = f.forecast.mean;
      const avg = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
      const weekdays = Array.from({ length: 7 }, (_, k) => m[k]!.toFixed(1)).join(' ');
      console.log(sku, code.get(f.siteId), 'end', endOn, f.forecast.demandClass, f.forecast.method, 'last90 avg', avg(v.slice(-90)).toFixed(2), 'fc 0-30', avg(m.slice(0, 30)).toFixed(2), 'fc 30-60', avg(m.slice(30, 60)).toFixed(2), 'fc 60-91', avg(m.slice(60, 91)).toFixed(2), 'week from', f.forecast.start, weekdays, 'acc', f.forecast.accuracy ? `${f.forecast.accuracy.rmsse.toFixed(3)} vs ${f.forecast.accuracy.benchmarkRmsse.toFixed(3)}` : '-');
    }
  }
}
await db.close();
