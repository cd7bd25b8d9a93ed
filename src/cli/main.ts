import { Command, InvalidArgumentError, Option } from 'commander';
import { systemClock } from '../platform/clock.ts';
import { systemActor } from '../platform/context.ts';
import { defaultSqlitePath, openDatabase, type Database } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrations/index.ts';
import { activeTestControls } from '../platform/test-controls.ts';
import { checkLedger } from '../modules/ledger/index.ts';
import { countUsers } from '../modules/access/index.ts';
import { loadDemoStore } from '../demo/demo-store.ts';
import { DEFAULT_DEMO_DAYS, DEFAULT_DEMO_SEED, loadDemoShop } from '../demo/demo-shop.ts';
import { parseTrustProxy } from '../platform/http/trust-proxy.ts';
import { progressBar, progressLine } from './progress.ts';
import { logTo } from './terminal.ts';
import { DEMO_USERS, ensureDemoUsers, freshDemoToken } from '../demo/demo-users.ts';
import { closeOnSignals, startServer } from '../server/server.ts';
import { version } from '../server/version.ts';
import { addAccessCommands } from './access-commands.ts';
import { printCheckReport } from './check-report.ts';
import { addCountCommands } from './count-commands.ts';
import { registerDataCommands } from './data-commands.ts';
import { addVoiceCommands } from './voice-commands.ts';
import { addOauthCommands } from './oauth-commands.ts';
import { addJobCommands } from './job-commands.ts';
import { addForecastCommands } from './forecast-commands.ts';
import { addAlertCommands } from './alert-commands.ts';
import { addProductionCommands } from './production-commands.ts';
import { addTransferCommands } from './transfer-commands.ts';
import { addPricingCommands } from './pricing-commands.ts';
import { addTaxCommands } from './tax-commands.ts';
import { addImportCommands } from './import-commands.ts';
import { addDeliveryCommands } from './delivery-commands.ts';
import { addReportCommands } from './report-commands.ts';
import { addBooksCommands } from './books-commands.ts';
import { addReplenishCommands } from './replenish-commands.ts';
import { addConnectorCommands } from './connector-commands.ts';
import { addGoogleCommands } from './google-commands.ts';

/**
 * The `stockroom` command. It calls the same services as the HTTP API; nothing here reaches
 * into the database except through them.
 */

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

const dbOption = () =>
  new Option('--db <path|url>', 'SQLite file path or postgres:// URL').env('DATABASE_URL').default(defaultSqlitePath);
const portOption = () => new Option('--port <n>', 'port to listen on').env('PORT').argParser(port).default(3000);
const logLevelOption = () =>
  new Option(
    '--log-level <level>',
    'how much the server logs as JSON lines (fatal, error, warn, info, debug); every request is logged at info, or at debug when run in a terminal',
  )
    .env('LOG_LEVEL')
    .default('info', 'info; warn in a terminal');
const hostOption = () =>
  new Option('--host <host>', 'address to listen on (0.0.0.0 to let phones on the shop network connect)').env('HOST').default('127.0.0.1');
const trustProxyOption = () =>
  new Option(
    '--trust-proxy [hops|addresses]',
    'behind a reverse proxy: take the client address and HTTPS from X-Forwarded-For and X-Forwarded-Proto, ' +
      'believing only the given number of proxy hops (the bare flag: 1, the proxy in front of this server) ' +
      'or only proxies at the given comma-separated addresses or CIDR ranges (10.0.0.0/8,loopback). ' +
      'Never more hops than there are proxies: a client could then forge its own address',
  ).env('TRUST_PROXY');

interface ServeCliOptions {
  db: string;
  host: string;
  port: number;
  trustProxy?: boolean | string;
  logLevel: string;
  /** Set by `logTo`: whether a person is watching the output in a terminal. */
  interactive?: boolean;
}


async function withDatabase<T>(url: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

async function isEmpty(db: Database): Promise<boolean> {
  const row = await db.kysely.selectFrom('items').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}

async function serve(db: Database, options: ServeCliOptions): Promise<string> {
  const server = await startServer({
    dbUrl: options.db,
    host: options.host,
    port: options.port,
    db,
    trustProxy: parseTrustProxy(options.trustProxy),
    logLevel: options.logLevel,
    interactive: options.interactive ?? false,
  });
  closeOnSignals(server);
  console.log(`Stockroom ${version} is listening on ${server.url} (${db.description})`);
  // Only a test can get here with a control on (see test-controls.ts); say so on every start anyway.
  for (const control of activeTestControls()) console.error(`  WARNING: negative control on, this server is broken on purpose (${control})`);
  console.log(`  Dashboard:   ${server.url}/`);
  console.log(`  API browser: ${server.url}/api/docs`);
  console.log(`  Instance:    ${server.instanceId}`);
  if (options.interactive && options.logLevel === 'warn') console.log('  Logging warnings and errors here; --log-level debug shows every request.');
  if ((await countUsers(db.kysely)) === 0) {
    console.log('  Nobody can sign in yet: create the first owner with POST /api/v1/setup, or');
    console.log('  stockroom user add --email you@example.com --role owner');
  }
  return server.url;
}

function printDemoAccess(url: string, token: string): void {
  console.log('');
  console.log('Demo sign-ins (POST /api/v1/session with email and password; demo passwords, never for a real shop):');
  for (const person of DEMO_USERS) {
    console.log(`  ${person.role.padEnd(8)} ${person.email.padEnd(19)} ${person.password.padEnd(18)} ${person.where}`);
  }
  console.log('');
  console.log('An owner API token, valid until the demo starts again:');
  console.log(`  export STOCKROOM_TOKEN=${token}`);
  console.log(`  curl -H "Authorization: Bearer $STOCKROOM_TOKEN" ${url}/api/v1/items`);
}

export function buildProgram(): Command {
  const program = new Command('stockroom')
    .description('Inventory from the purchase order to the checkout counter.')
    .version(version)
    .showHelpAfterError();

  program
    .command('serve')
    .description('Start the server (migrations run first).')
    .addOption(dbOption())
    .addOption(portOption())
    .addOption(hostOption())
    .addOption(trustProxyOption())
    .addOption(logLevelOption())
    .action(async (given: ServeCliOptions, command: Command) => {
      const options = logTo(given, command.getOptionValueSource('logLevel'));
      const db = await openDatabase({ url: options.db });
      await serve(db, options);
    });

  program
    .command('demo')
    .description('Load the demo shop, with fifteen months of simulated trade, and its demo users into an empty database; then serve it.')
    .addOption(dbOption())
    .addOption(portOption())
    .addOption(hostOption())
    .addOption(trustProxyOption())
    .addOption(logLevelOption())
    .addOption(new Option('--scale <n>', 'make the shop N times larger in items and trade (100: about 30,000 items)').argParser(wholeNumber(1, 1000)).default(1))
    .addOption(new Option('--days <n>', 'days of history to simulate; 0 opens the shop today with opening stock only').argParser(wholeNumber(0, 3660)).default(DEFAULT_DEMO_DAYS))
    .addOption(new Option('--seed <n>', 'the same seed builds the same shop').argParser(wholeNumber(0, 2 ** 32 - 1)).default(DEFAULT_DEMO_SEED))
    .option('--no-serve', 'load the demo data and exit')
    .action(async (given: ServeCliOptions & { serve: boolean; scale: number; days: number; seed: number }, command: Command) => {
      const options = { ...given, ...logTo(given, command.getOptionValueSource('logLevel')) };
      // The build is acknowledged to nobody until it ends, so its commits need not wait for the
      // disk (WAL with synchronous=NORMAL: a power cut loses the last commits, never the file's
      // consistency); the shop is served, and the demo users added, with every commit durable.
      let db = await openDatabase({ url: options.db, synchronous: 'normal' });
      if (await isEmpty(db)) {
        const ctx = { db, clock: systemClock, actor: systemActor };
        const started = Date.now();
        if (options.days === 0) {
          const summary = await loadDemoStore(ctx);
          console.log(`Loaded the demo shop: ${summary.sites} sites, ${summary.items} items, ${summary.adjustments} opening adjustments (${Date.now() - started} ms).`);
        } else {
          console.log(`Simulating ${options.days} days of trade at scale ${options.scale} (seed ${options.seed})...`);
          const bars = { catalog: progressBar('Catalog'), history: progressBar('Days   ') };
          const summary = await loadDemoShop(ctx, {
            scale: options.scale,
            days: options.days,
            seed: options.seed,
            onProgress: ({ phase, done, total }) => {
              if (phase === 'history') bars.catalog.stop();
              bars[phase].update(done, total);
              // Without a terminal there is no bar: a line a simulated month keeps logs alive.
              if (!process.stderr.isTTY && phase === 'history' && (done % 30 === 0 || done === total)) console.error(`  day ${progressLine(done, total, Date.now() - started)}`);
            },
          });
          bars.history.stop();
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          console.log(
            `Loaded the demo shop, ${summary.from} to ${summary.to}: ${summary.items} items, ${summary.vendors} vendors, ${summary.sales} sales, ` +
              `${summary.orders} web orders, ${summary.purchaseOrders} purchase orders, ${summary.returns} returns, ${summary.movements} stock movements (${seconds} s).`,
          );
        }
      } else {
        console.log('The database already holds data; serving it as it is.');
      }
      await db.close();
      db = await openDatabase({ url: options.db });
      const ctx = { db, clock: systemClock, actor: systemActor };
      const users = await ensureDemoUsers(ctx);
      if (users === 'created') console.log(`Added the demo users: ${DEMO_USERS.map((u) => u.email).join(', ')}.`);
      const token = users === 'not_demo' ? null : await freshDemoToken(ctx);
      if (!options.serve) {
        if (token) printDemoAccess(`http://${options.host}:${options.port}`, token);
        await db.close();
        return;
      }
      const url = await serve(db, options);
      if (token) printDemoAccess(url, token);
    });

  program
    .command('migrate')
    .description('Bring the database schema up to date.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const db = await openDatabase({ url: options.db, migrate: false });
      try {
        const applied = await migrateToLatest(db.kysely, { dialect: db.dialect, schema: db.schema });
        console.log(applied.length ? `Applied ${applied.join(', ')}.` : 'The schema is up to date.');
      } finally {
        await db.close();
      }
    });

  program
    .command('check')
    .description('Verify the stock ledger invariants; exits 1 and reports when one fails.')
    .addOption(dbOption())
    .option('--json', 'print the report as JSON')
    .action(async (options: { db: string; json?: boolean }) => {
      const report = await withDatabase(options.db, async (db) => checkLedger(db));
      if (options.json) console.log(JSON.stringify(report, null, 2));
      else printCheckReport(report);
      if (!report.ok) process.exitCode = 1;
    });

  addAccessCommands(program, dbOption);
  registerDataCommands(program, dbOption);
  addJobCommands(program, dbOption);
  addTransferCommands(program, dbOption);
  addProductionCommands(program, dbOption);
  addReplenishCommands(program, dbOption);
  addPricingCommands(program, dbOption);
  addTaxCommands(program, dbOption);
  addImportCommands(program, dbOption);
  addCountCommands(program, dbOption);
  addDeliveryCommands(program, dbOption);
  addReportCommands(program, dbOption);
  addBooksCommands(program, dbOption);
  addForecastCommands(program, dbOption);
  addAlertCommands(program, dbOption);
  addConnectorCommands(program, dbOption);
  addGoogleCommands(program, dbOption);
  addVoiceCommands(program, dbOption);
  addOauthCommands(program, dbOption);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(`stockroom: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
