import type { Command, Option } from 'commander';
import { evaluateTimedAlerts, listRules, sendDigests } from '../modules/alerts/index.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom alerts …`: the rules' thresholds, and the time-based checks the server runs every
 * five minutes, run now — for a shop that runs the server only in opening hours, or a cron job.
 */
export function addAlertCommands(program: Command, dbOption: () => Option): void {
  const alerts = program.command('alerts').description('Alert rules: list them; run the time-based checks and the morning digest now.');
  alerts
    .command('rules')
    .description('List the alert rules and their thresholds.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const rules = await withServiceContext(options.db, (ctx) => listRules(ctx));
      for (const r of rules) {
        const thresholds = [r.days !== null ? `days ${r.days}` : '', r.qty !== null ? `qty ${r.qty}` : '', r.amount !== null ? `amount ${r.amount}` : '', r.count !== null ? `count ${r.count}` : ''].filter(Boolean).join(', ');
        console.log(`${r.rule.padEnd(16)} ${r.enabled ? 'on ' : 'off'}  cooldown ${r.cooldown_minutes} min${thresholds ? `  ${thresholds}` : ''}`);
      }
    });
  alerts
    .command('run')
    .description('Check expiring lots, late purchase orders, count variances, discounts and voids, and failed deliveries; send due digests.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const [fired, digests] = await withServiceContext(options.db, async (ctx) => [await evaluateTimedAlerts(ctx), await sendDigests(ctx)]);
      console.log(`${fired} alert${fired === 1 ? '' : 's'} fired, ${digests} digest${digests === 1 ? '' : 's'} queued.`);
    });
}
