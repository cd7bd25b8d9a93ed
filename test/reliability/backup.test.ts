import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { loadDemoStore } from '../../src/demo/demo-store.ts';
import { createToken } from '../../src/modules/access/index.ts';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { startStockroom } from '../support/child-server.ts';
import { postgresEnabled } from '../support/databases.ts';
import { dropSchema, testPostgresUrl } from '../support/postgres.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

/** The real `stockroom` command, built, as an operator would run it. */
async function stockroom(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(root, 'dist/cli/main.js'), ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn' } });
  return stdout;
}

interface Target {
  url: string;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

function sqliteTarget(dir: string, name: string): Target {
  const file = path.join(dir, name);
  return { url: file, open: () => openDatabase({ url: file }), drop: async () => {} };
}

function postgresTarget(): Target {
  const schema = `backup_${randomBytes(5).toString('hex')}`;
  const url = new URL(testPostgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), open: () => openDatabase({ url: testPostgresUrl, schema, poolSize: 4 }), drop: () => dropSchema(schema) };
}

async function movementIds(target: Target): Promise<Set<string>> {
  const db = await target.open();
  try {
    return new Set((await db.kysely.selectFrom('movements').select('id').execute()).map((r) => r.id));
  } finally {
    await db.close();
  }
}

async function ledgerOk(target: Target): Promise<boolean> {
  const db = await target.open();
  try {
    return (await checkLedger(db)).ok;
  } finally {
    await db.close();
  }
}

async function balances(target: Target): Promise<string[]> {
  const db = await target.open();
  try {
    const rows = await db.kysely.selectFrom('balances').select(['item_id', 'location_id', 'lot_id', 'on_hand', 'reserved']).execute();
    return rows.map((r) => `${r.item_id}/${r.location_id}/${r.lot_id}=${Number(r.on_hand)}/${Number(r.reserved)}`).sort();
  } finally {
    await db.close();
  }
}

/**
 * `stockroom backup` while four clients keep posting adjustments through the server, then
 * `stockroom restore`: the live copy is consistent (its ledger checks, and everything in it is in
 * the shop), a quiet copy round-trips every movement, and on SQLite an export imports into
 * PostgreSQL with equal balances.
 */
for (const dialect of ['sqlite', 'postgres'] as const) {
  const suite = dialect === 'postgres' && !postgresEnabled() ? describe.skip : describe;
  suite(`backup and restore [${dialect}]`, () => {
    it('copies a shop that is taking writes, and brings copies back', { timeout: 300_000 }, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-backup-'));
      const live = dialect === 'sqlite' ? sqliteTarget(dir, 'shop.db') : postgresTarget();
      const extension = dialect === 'sqlite' ? 'db' : 'dump';
      const imported = postgresEnabled() && dialect === 'sqlite' ? postgresTarget() : null;
      const started = performance.now();
      try {
        const db = await live.open();
        const ctx = { db, clock: systemClock, actor: systemActor };
        await loadDemoStore(ctx);
        const { secret: token } = await createToken(ctx, { name: 'backup test', role: 'owner', sites: 'all' });
        const main = await db.kysely.selectFrom('locations').select('id').where('code', '=', 'MAIN').where('kind', '=', 'site').executeTakeFirstOrThrow();
        const mug = await db.kysely.selectFrom('items').select('id').where('sku', '=', 'MUG-STONE').executeTakeFirstOrThrow();
        await db.close();
        const opening = await movementIds(live);

        const server = await startStockroom(live.url, { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' });
        let stop = false;
        let acknowledged = 0;
        // Waits are on what the writers have done, not on the clock: `acknowledgedAtLeast(n)`
        // settles once n writes are acknowledged (or a writer fails).
        const waiting: Array<{ n: number; resolve: () => void }> = [];
        const acknowledgedAtLeast = (n: number) => new Promise<void>((resolve) => (acknowledged >= n ? resolve() : waiting.push({ n, resolve })));
        const writer = async (w: number) => {
          for (let n = 0; !stop; n += 1) {
            const response = await fetch(`${server.origin}/api/v1/adjustments`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `backup-${w}-${n}` },
              body: JSON.stringify({ location_id: main.id, reason: 'found', note: `writer ${w}`, lines: [{ item_id: mug.id, qty: 1 }] }),
            });
            if (response.status !== 201) throw new Error(`adjustment answered ${response.status}: ${await response.text()}`);
            acknowledged += 1;
            for (const wait of waiting.filter((x) => acknowledged >= x.n)) wait.resolve();
          }
        };
        const writers = [0, 1, 2, 3].map(writer);
        const writersFailed = Promise.all(writers).then(() => {
          throw new Error('the writers stopped before they were told to');
        });
        const until = (n: number) => Promise.race([acknowledgedAtLeast(n), writersFailed]);
        const liveCopy = path.join(dir, `during-writes.${extension}`);
        try {
          // The backup starts with writes flowing, and writes go on after it ends.
          await until(20);
          await stockroom('backup', liveCopy, '--db', live.url);
          await until(acknowledged + 20);
        } finally {
          stop = true;
          await Promise.all(writers);
          await server.stop();
        }
        const everything = await movementIds(live);
        expect(everything.size).toBe(opening.size + acknowledged);

        const quietCopy = path.join(dir, `quiet.${extension}`);
        await stockroom('backup', quietCopy, '--db', live.url);

        // The copy taken under load: a consistent snapshot somewhere between the opening and the end.
        expect(await stockroom('restore', liveCopy, '--db', live.url)).toMatch(/Ledger check: ok/);
        const restored = await movementIds(live);
        expect([...opening].every((id) => restored.has(id))).toBe(true);
        expect([...restored].every((id) => everything.has(id))).toBe(true);
        expect(restored.size).toBeGreaterThan(opening.size);
        // Writes went on after the copy was taken, so a restore that changed nothing would show here.
        expect(restored.size).toBeLessThan(everything.size);
        expect(await ledgerOk(live)).toBe(true);

        // The quiet copy brings back every movement.
        await stockroom('restore', quietCopy, '--db', live.url);
        expect(await movementIds(live)).toEqual(everything);
        expect(await ledgerOk(live)).toBe(true);

        if (imported) {
          await (await imported.open()).close(); // makes the schema, migrated and empty
          const exportFile = path.join(dir, 'shop.jsonl');
          await stockroom('export', exportFile, '--db', live.url);
          expect(await stockroom('import', exportFile, '--db', imported.url)).toMatch(/Ledger check: ok/);
          expect(await balances(imported)).toEqual(await balances(live));
          expect(await movementIds(imported)).toEqual(everything);
        }
        console.log(
          `backup [${dialect}]: ${acknowledged} writes during the backup, ${restored.size - opening.size} of them in the live copy, ` +
            `${everything.size} movements round-tripped${imported ? ' and exported into PostgreSQL' : ''}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
      } finally {
        await live.drop();
        await imported?.drop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
