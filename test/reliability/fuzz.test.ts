import { createHash } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { loadDemoStore } from '../../src/demo/demo-store.ts';
import { systemActor } from '../../src/platform/context.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { listTables } from '../../src/platform/db/transfer.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { Generator, operationsOf, SchemaResolver, SeededRandom, type IdPool } from '../support/openapi-fuzz.ts';

/**
 * Fuzz: at least 200 generated requests for every operation in the OpenAPI document. No 5xx;
 * every 4xx a problem+json with a code; every 2xx matching its documented schema; and a rejected
 * request leaves the database exactly as it was. The seed is printed so a failure replays
 * (FUZZ_SEED=… npm run test:reliability).
 */

const perOperation = Number(process.env.FUZZ_PER_OPERATION ?? 200);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/**
 * Logs that record every request, accepted or not, are not business data; nor is the sign-in
 * throttle, nor when a token or session was last used.
 */
const logTables = new Set(['audit_events', 'audit_targets', 'login_throttle']);
const volatileColumns: Record<string, string[]> = { api_tokens: ['last_used_at'], sessions: ['last_seen_at'] };

/** The tables do not change during a run; introspecting them for every fingerprint cost minutes on PostgreSQL. */
const tablesOf = new WeakMap<Database, Promise<string[]>>();

async function fingerprint(db: Database): Promise<string> {
  const hash = createHash('sha1');
  let listed = tablesOf.get(db);
  if (!listed) tablesOf.set(db, (listed = listTables(db).then((names) => names.filter((n) => !logTables.has(n)).sort())));
  const tables = await listed;
  // All tables at once: on PostgreSQL the pool reads them side by side, which is most of this
  // test's time (a fingerprint follows every write request).
  const contents = await Promise.all(tables.map((table) => db.kysely.selectFrom(sql.table(table).as('t')).selectAll().execute() as Promise<Array<Record<string, unknown>>>));
  tables.forEach((table, i) => {
    const rows = contents[i]!;
    for (const column of volatileColumns[table] ?? []) for (const r of rows) delete r[column];
    const lines = rows.map((r) => JSON.stringify(r)).sort();
    hash.update(table).update(lines.join('\n'));
  });
  return hash.digest('hex');
}

async function idPool(db: Database): Promise<IdPool> {
  const pool: IdPool = {};
  const add = (ids: string[]) => {
    for (const id of ids) {
      const prefix = id.split('_')[0]!;
      (pool[prefix] ??= []).push(id);
    }
  };
  add((await db.kysely.selectFrom('items').select('id').limit(20).execute()).map((r) => r.id));
  add((await db.kysely.selectFrom('locations').select('id').limit(20).execute()).map((r) => r.id));
  add((await db.kysely.selectFrom('adjustments').select('id').limit(10).execute()).map((r) => r.id));
  add((await db.kysely.selectFrom('lots').select('id').limit(10).execute()).map((r) => r.id));
  return pool;
}

describeEachDatabase('fuzz', (get, dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    await loadDemoStore({ db: get().db, clock: systemClock, actor: systemActor });
    api = await buildTestApi(get().db);
  });

  it(`survives ${perOperation} generated requests per operation (seed ${seed})`, async () => {
    console.log(`fuzz [${dialect}] seed ${seed}`);
    const doc = (await api.get('/api/openapi.json')).body;
    const resolver = new SchemaResolver(doc);
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
    ajv.addSchema({ $id: 'openapi', components: doc.components });
    const validatorFor = new Map<string, (data: unknown) => boolean>();
    const validate = (schema: any, data: unknown) => {
      const key = JSON.stringify(schema);
      let fn = validatorFor.get(key);
      if (!fn) {
        const rewritten = JSON.parse(key.replaceAll('"#/components/', '"openapi#/components/'));
        fn = ajv.compile(rewritten) as (d: unknown) => boolean;
        validatorFor.set(key, fn);
      }
      return fn(data) ? null : ajv.errorsText((fn as any).errors);
    };

    const generator = new Generator(resolver, await idPool(get().db), new SeededRandom(seed));
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThan(10);
    let known = await fingerprint(get().db);
    const tally: Record<string, number> = {};
    let sent = 0;

    for (const op of operations) {
      for (let i = 0; i < perOperation; i += 1) {
        const req = generator.request(op);
        const response = await api.app.inject({
          method: req.method as never,
          url: req.url,
          headers: { authorization: `Bearer ${api.ownerToken}`, ...req.headers },
          payload: req.payload,
        });
        sent += 1;
        const where = `${op.method} ${op.path} (${req.kind}) → ${response.statusCode} [seed ${seed}, request ${i}] ${req.method} ${req.url.slice(0, 200)} ${String(req.payload ?? '').slice(0, 300)}`;
        tally[`${response.statusCode}`] = (tally[`${response.statusCode}`] ?? 0) + 1;
        expect(response.statusCode, `${where}\n${response.body.slice(0, 500)}`).toBeLessThan(500);
        if (response.statusCode >= 400) {
          expect(String(response.headers['content-type']), where).toMatch(/^application\/problem\+json/);
          const problem = JSON.parse(response.body) as { code?: unknown; status?: unknown };
          expect(typeof problem.code, where).toBe('string');
          expect(problem.status, where).toBe(response.statusCode);
          if (op.method !== 'GET') expect(await fingerprint(get().db), `${where}: a rejected request changed the database`).toBe(known);
        } else {
          const schema = op.responses[String(response.statusCode)];
          if (schema && String(response.headers['content-type']).includes('json')) {
            const error = validate(schema, JSON.parse(response.body));
            expect(error, `${where}: response does not match its schema`).toBeNull();
          }
          if (op.method !== 'GET') known = await fingerprint(get().db);
        }
      }
    }
    console.log(`fuzz [${dialect}]: ${sent} requests over ${operations.length} operations; statuses ${JSON.stringify(tally)}`);
  }, 1_500_000);
});
