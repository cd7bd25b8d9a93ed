import type { FastifyInstance } from 'fastify';
import { systemClock } from '../platform/clock.ts';
import { openDatabase, type Database } from '../platform/db/database.ts';
import { buildApp } from './app.ts';
import { startJobs } from './jobs.ts';

export interface ServeOptions {
  dbUrl: string;
  host: string;
  port: number;
  logLevel?: string;
  /** An already-open database (the demo command loads it first). */
  db?: Database;
  /** Behind a reverse proxy: believe X-Forwarded-For and X-Forwarded-Proto. */
  trustProxy?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const db = options.db ?? (await openDatabase({ url: options.dbUrl }));
  const app = await buildApp({ db, logger: { level: options.logLevel ?? 'info' }, trustProxy: options.trustProxy ?? false });
  const stopJobs = startJobs(db, systemClock, app.log);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    stopJobs();
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
      stopJobs();
      // Fastify stops accepting, lets in-flight requests finish, then we close the database.
      await app.close();
      await db.close();
    })());
  return { app, db, url: `http://${shownHost}:${port}`, close };
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
