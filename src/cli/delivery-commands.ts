import type { Command, Option } from 'commander';
import { systemClock } from '../platform/clock.ts';
import type { ServiceContext } from '../platform/context.ts';
import { DeliveryWorker, listDeliveries, pauseDestination, redeliver, resumeDestination } from '../modules/notifications/index.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom deliveries …`: the delivery outbox from a script — what is waiting or dead-lettered,
 * redelivering, pausing a destination, and draining the outbox once (a cron job on a machine that
 * runs no server, or a check after fixing the SMTP settings).
 */
const withContext = <T>(url: string, work: (ctx: ServiceContext) => Promise<T>): Promise<T> => withServiceContext(url, work, { showCode: true });

const statuses = ['pending', 'sending', 'delivered', 'dead'] as const;

export function addDeliveryCommands(program: Command, dbOption: () => Option): void {
  const deliveries = program.command('deliveries').description('Outbound email, texts and webhooks: list, redeliver, pause, resume, send now.');

  deliveries
    .command('list')
    .description('The newest deliveries, one a line')
    .option('--status <status>', `only this status (${statuses.join(', ')})`)
    .option('--limit <n>', 'how many', '50')
    .addOption(dbOption())
    .action(async (options: { status?: string; limit: string; db: string }) => {
      if (options.status && !(statuses as readonly string[]).includes(options.status)) throw new Error(`--status is one of ${statuses.join(', ')}`);
      await withContext(options.db, async (ctx) => {
        const page = await listDeliveries(ctx, { status: options.status as (typeof statuses)[number] | undefined, limit: Math.min(500, Math.max(1, Number(options.limit) || 50)) });
        for (const d of page.records) console.log(`${d.id}  ${d.status.padEnd(9)} ${d.channel.padEnd(7)} ${d.destination}  ${d.event_type}  attempts ${d.attempts}${d.last_error ? `  ${d.last_error}` : ''}`);
      });
    });

  deliveries
    .command('redeliver')
    .description('Send a delivered or dead-lettered delivery again')
    .argument('<id>', 'the delivery id (dlv_…)')
    .addOption(dbOption())
    .action(async (id: string, options: { db: string }) => {
      await withContext(options.db, async (ctx) => console.log(`${id}  ${(await redeliver(ctx, id)).delivery.status}`));
    });

  for (const [name, pause] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    deliveries
      .command(name)
      .description(pause ? 'Hold everything for a destination (an address, a number, a subscription id)' : 'Let a paused destination’s deliveries go')
      .argument('<destination>')
      .addOption(dbOption())
      .action(async (destination: string, options: { db: string }) => {
        await withContext(options.db, async (ctx) => {
          if (pause) await pauseDestination(ctx, destination, 'paused from the command line');
          else console.log(`${(await resumeDestination(ctx, destination)).released} waiting`);
          console.log(`${destination} ${pause ? 'paused' : 'resumed'}`);
        });
      });
  }

  deliveries
    .command('send')
    .description('Send what is due now, once, and report (the server does this continuously)')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      await withContext(options.db, async (ctx) => {
        const worker = new DeliveryWorker({ db: ctx.db, clock: systemClock });
        let total = 0;
        for (let round = 0; round < 1000; round += 1) {
          const n = await worker.runOnce();
          if (n === 0) break;
          total += n;
          process.stderr.write(`\r${total} attempted`);
        }
        process.stderr.write('\n');
        console.log(`${total} attempted`);
      });
    });
}
