import { testControls } from '../platform/test-controls.ts';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../platform/clock.ts';
import { openDatabase, type Database } from '../platform/db/database.ts';
import type { TrustProxy } from '../platform/http/trust-proxy.ts';
import { heapGrowthFromEnv, limitHeapGrowth } from '../platform/heap.ts';
import { resolveInstanceId } from '../platform/instance.ts';
import { buildApp } from './app.ts';
import { startJobs } from './jobs.ts';
import { DeliveryWorker } from '../modules/notifications/index.ts';

export interface ServeOptions {
  dbUrl: string;
  host: string;
  port: number;
  logLevel?: string;
  /** An already-open database (the demo command loads it first). */
  db?: Database;
  /** Run by a person in a terminal: requests are logged at debug level, not info. */
  interactive?: boolean;
  /** Behind a reverse proxy: which proxies to believe about X-Forwarded-For and X-Forwarded-Proto. */
  trustProxy?: TrustProxy;
  /** This process's name among several on one database (default: STOCKROOM_INSTANCE_ID, or host name and process id). */
  instanceId?: string;
}

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  instanceId: string;
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  // First, so a malformed STOCKROOM_INSTANCE_ID stops the start before anything is opened.
  const instanceId = options.instanceId ?? resolveInstanceId();
  limitHeapGrowth(heapGrowthFromEnv());
  const db = options.db ?? (await openDatabase({ url: options.dbUrl }));
  const interactive = options.interactive ?? false;
  const app = await buildApp({
    db,
    logger: { level: options.logLevel ?? 'info' },
    trustProxy: options.trustProxy ?? false,
    requestLogLevel: interactive ? 'debug' : 'info',
  });
  const jobs = startJobs(db, systemClock, app.log, instanceId);
  // Outbound email, texts and webhooks: claimed and sent after commit, in this process (see delivery-worker.ts).
  // A test's short job lease shortens the claims of the delivery worker too, so a killed instance's
  // sends are taken over within the suite's time (test-controls.ts).
  const deliveries = new DeliveryWorker({ db, clock: systemClock, log: app.log, workerId: instanceId, leaseMs: testControls.jobTimings.leaseMs });
  deliveries.start();
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await deliveries.stop();
    await jobs.stop();
    await app.close();
    await db.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Fastify stops accepting and lets in-flight requests finish; the jobs stop and their runs
      // in flight finish; only then is the database closed under them.
      await Promise.all([app.close(), jobs.stop(), deliveries.stop()]);
      await db.close();
    })());
  return { app, db, instanceId, url: `http://${shownHost}:${port}`, close };
}

/** Closes gracefully on SIGTERM/SIGINT; a second signal exits at once. */
export function closeOnSignals(server: RunningServer): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    server.app.log.info({ signal }, 'shutting down');
    server
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
