import type { Command, Option } from 'commander';
import type { ServiceContext } from '../platform/context.ts';
import { findItemBySku } from '../modules/catalog/index.ts';
import { findSiteByCode } from '../modules/locations/index.ts';
import { flagDemandDays, forecastItem, runForecasts, type SiteForecast } from '../modules/forecasting/index.ts';
import { forecastAccuracy, type AccuracyGroup } from '../modules/forecasting/forecast-accuracy.service.ts';
import { progressBar, progressLine } from './progress.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom forecast …`: compute demand forecasts from a script or cron (all items, with
 * progress, or one item now), flag promotion and holiday days, and print the accuracy report.
 */

const withContext = <T>(url: string, work: (ctx: ServiceContext) => Promise<T>): Promise<T> => withServiceContext(url, work, { showCode: true });

async function siteIdOf(ctx: ServiceContext, code: string): Promise<string> {
  const site = await findSiteByCode(ctx.db.kysely, code);
  if (!site) throw new Error(`no site with the code ${code}`);
  return site.id;
}

async function itemOf(ctx: ServiceContext, sku: string) {
  const item = await findItemBySku(ctx.db.kysely, sku);
  if (!item) throw new Error(`no item with the SKU ${sku}`);
  return item;
}

function printSiteForecast(f: SiteForecast): void {
  const week = f.forecast.mean.slice(0, 7).map((v) => v.toFixed(1)).join(' ');
  const score = f.forecast.rmsse === null ? 'not backtested' : `RMSSE ${f.forecast.rmsse.toFixed(3)}`;
  const vs = f.forecast.accuracy ? `, last 28 days ${f.forecast.accuracy.rmsse.toFixed(3)} vs seasonal naive ${f.forecast.accuracy.benchmarkRmsse.toFixed(3)}` : '';
  console.log(`${f.siteId}  ${f.forecast.demandClass.padEnd(12)} ${f.forecast.method.padEnd(22)} ${score}${vs}`);
  console.log(`  next 7 days: ${week}  (${f.history.censoredDays} days out of stock censored)`);
}

const group = (g: AccuracyGroup) =>
  `${g.key.padEnd(24)} ${String(g.forecasts).padStart(6)}  RMSSE ${g.rmsse?.toFixed(3) ?? '—'} vs ${g.benchmarkRmsse?.toFixed(3) ?? '—'}  bias ${g.bias?.toFixed(3) ?? '—'} vs ${g.benchmarkBias?.toFixed(3) ?? '—'}  beats ${g.beatsBenchmark === null ? '—' : `${Math.round(g.beatsBenchmark * 100)} %`}`;

export function addForecastCommands(program: Command, dbOption: () => Option): void {
  const forecast = program.command('forecast').description('Demand forecasts: compute them (all items with progress, or one), flag promotion days, show accuracy.');

  forecast
    .command('run', { isDefault: true })
    .description('Forecast every stocked item at every site (the daily job), or one item with --item.')
    .option('--item <sku>', 'forecast this item only, and print it')
    .option('--site <code>', 'with --item: this site only')
    .addOption(dbOption())
    .action(async (options: { item?: string; site?: string; db: string }) => {
      await withContext(options.db, async (ctx) => {
        if (options.item) {
          const item = await itemOf(ctx, options.item);
          const siteIds = options.site ? [await siteIdOf(ctx, options.site)] : undefined;
          const forecasts = await forecastItem(ctx, item.id, siteIds ? { siteIds } : {});
          if (forecasts.length === 0) console.log(`${item.sku} has no history at ${options.site ?? 'any site'}.`);
          for (const f of forecasts) printSiteForecast(f);
          return;
        }
        const bar = progressBar('Forecasting');
        const started = Date.now();
        let lastLine = 0;
        try {
          const done = await runForecasts(ctx, {
            trigger: 'cli',
            onProgress: (p) => {
              bar.update(p.itemsDone, p.itemsTotal);
              if (!process.stderr.isTTY && Date.now() - lastLine > 5000) {
                lastLine = Date.now();
                console.error(progressLine(p.itemsDone, p.itemsTotal, Date.now() - started));
              }
            },
          });
          bar.stop();
          console.log(`${done.runId}: ${done.itemsDone} items, ${done.forecastsWritten} forecasts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        } finally {
          bar.stop();
        }
      });
    });

  forecast
    .command('flag')
    .description('Flag days as a promotion or holiday so their sales stay out of the baseline.')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
    .requiredOption('--reason <text>', 'why (e.g. "Half-price week")')
    .option('--item <sku>', 'one item (every item when absent)')
    .option('--site <code>', 'one site (every site when absent)')
    .addOption(dbOption())
    .action(async (options: { from: string; to: string; reason: string; item?: string; site?: string; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const itemId = options.item ? (await itemOf(ctx, options.item)).id : null;
        const siteId = options.site ? await siteIdOf(ctx, options.site) : null;
        console.log(await flagDemandDays(ctx, { itemId, siteId, fromOn: options.from, toOn: options.to, reason: options.reason }));
      });
    });

  forecast
    .command('accuracy')
    .description('Backtested accuracy of the stored forecasts against weekly seasonal naive, per class, category and method.')
    .option('--site <code>', 'one site')
    .addOption(dbOption())
    .action(async (options: { site?: string; db: string }) => {
      await withContext(options.db, async (ctx) => {
        const report = await forecastAccuracy(ctx, options.site ? { siteId: await siteIdOf(ctx, options.site) } : {});
        console.log(group(report.overall));
        console.log('By class');
        for (const g of report.byClass) console.log(`  ${group(g)}`);
        console.log('By category');
        for (const g of report.byCategory) console.log(`  ${group(g)}`);
        console.log('By method');
        for (const g of report.byMethod) console.log(`  ${group(g)}`);
      });
    });
}
