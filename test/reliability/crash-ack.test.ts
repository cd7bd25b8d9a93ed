import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/modules/access/index.ts';
import { createAdjustment } from '../../src/modules/adjustments/index.ts';
import { createItem } from '../../src/modules/catalog/index.ts';
import { createLocation } from '../../src/modules/locations/index.ts';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { startStockroom } from '../support/child-server.ts';
import { postgresEnabled } from '../support/databases.ts';
import { dropSchema, testPostgresUrl } from '../support/postgres.ts';

/**
 * Acknowledged means on disk: many clients sell at once (so on SQLite the sales share commits,
 * see group-commit.ts), and the moment the first answer arrives the server is killed with
 * SIGKILL. Every sale that was answered 201 before the process died — the first and any whose
 * answers were already on the wire — must be in the database after the restart, once; the sales
 * never answered may or may not be. Repeated over several lives of the server.
 */

const lives = Number(process.env.CRASH_ACK_LIVES ?? 8);
const clients = 12;

interface Target {
  url: string;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

function makeTarget(dialect: 'sqlite' | 'postgres'): Target {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stockroom-crash-ack-'));
    const file = path.join(dir, 'shop.db');
    return { url: file, open: () => openDatabase({ url: file }), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `crash_ack_${randomBytes(5).toString('hex')}`;
  const url = new URL(testPostgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), open: () => openDatabase({ url: testPostgresUrl, schema, poolSize: 4 }), drop: () => dropSchema(schema) };
}

async function makeShop(target: Target): Promise<{ body: (key: string) => string; bearer: string }> {
  const db = await target.open();
  const ctx = { db, clock: systemClock, actor: systemActor };
  const site = await createLocation(ctx, { kind: 'site', code: 'ACK', name: 'Ack store', site_type: 'store' });
  const item = await createItem(ctx, { sku: 'ACK-1', name: 'Ack item', base_unit: 'ea', tracking: 'none', tracks_expiry: false, costing_method: 'fifo', stocked: true, units: [], barcodes: [], components: [] });
  await createAdjustment(ctx, { location_id: site.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: 100_000_000, unit_cost: 1_000_000 }] });
  const bearer = (await createToken(ctx, { name: 'ack clients', role: 'owner', sites: 'all' })).secret;
  await db.close();
  return {
    bearer,
    body: (key) => JSON.stringify({ location_id: site.id, register: 'ACK', note: key, lines: [{ item_id: item.id, qty: 1, unit_price: '3.00' }], payments: [{ tender: 'cash', amount: '3.00' }] }),
  };
}

describe.each(['sqlite', 'postgres'] as const)('acknowledged writes survive SIGKILL right after the answer [%s]', (dialect) => {
  const run = dialect === 'postgres' && !postgresEnabled() ? it.skip : it;
  const targets: Target[] = [];
  afterAll(async () => {
    for (const t of targets) await t.drop();
  });

  run(`keeps every sale answered before the kill, over ${lives} lives`, async () => {
    const target = makeTarget(dialect);
    targets.push(target);
    const shop = await makeShop(target);
    const acked = new Set<string>();
    let mostAckedInOneLife = 0;
    for (let life = 0; life < lives; life += 1) {
      const server = await startStockroom(target.url, { LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' });
      const ackedThisLife: string[] = [];
      let dead = false;
      // A short warm-up of sales first, so the kill lands under load rather than on the first request.
      let warm = 0;
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          for (let n = 0; !dead; n += 1) {
            const key = `l${life}-c${c}-${n}-${randomBytes(4).toString('hex')}`;
            try {
              const response = await request(`${server.origin}/api/v1/sales`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${shop.bearer}` },
                body: shop.body(key),
                headersTimeout: 10_000,
              });
              await response.body.dump();
              if (response.statusCode !== 201) throw new Error(`${key} answered ${response.statusCode}`);
              ackedThisLife.push(key);
              warm += 1;
              // Kill at once, from inside the answer's callback: nothing else runs first.
              if (warm >= clients * 2 && !dead) {
                dead = true;
                process.kill(server.pid, 'SIGKILL');
              }
            } catch (error) {
              if (!dead) throw error;
              return;
            }
          }
        }),
      );
      await server.kill();
      const exit = await server.exited;
      expect(exit.signal).toBe('SIGKILL');
      for (const key of ackedThisLife) acked.add(key);
      mostAckedInOneLife = Math.max(mostAckedInOneLife, ackedThisLife.length);

      const db = await target.open();
      try {
        const rows = await db.kysely.selectFrom('sales').select(['note']).where('register', '=', 'ACK').execute();
        const posted = new Map<string, number>();
        for (const r of rows) posted.set(r.note!, (posted.get(r.note!) ?? 0) + 1);
        const missing = [...acked].filter((key) => posted.get(key) !== 1);
        expect(missing, `life ${life}: acknowledged sales missing or doubled`).toEqual([]);
        expect([...posted.values()].every((n) => n === 1)).toBe(true);
        const report = await checkLedger(db);
        expect(report.invariants.filter((i) => !i.ok), `ledger after life ${life}`).toEqual([]);
      } finally {
        await db.close();
      }
    }
    expect(mostAckedInOneLife).toBeGreaterThanOrEqual(clients * 2);
  }, 600_000);
});
