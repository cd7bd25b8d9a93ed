import Fastify from 'fastify';
import { openDatabase } from '../../src/platform/db/database.ts';

/**
 * The negative control of the oversell test: a checkout that reads the balance and then writes
 * what it computed, the way the avoided code does. Under concurrency it sells stock twice, and
 * the oversell harness must notice. Never used outside that test.
 */
const db = await openDatabase({ url: process.env.NAIVE_DB_URL!, migrate: false, poolSize: 16 });
const app = Fastify({ logger: false });
app.post('/naive-sale', async (request, reply) => {
  const { item_id, location_id, qty } = request.body as { item_id: string; location_id: string; qty: number };
  const row = await db.kysely
    .selectFrom('balances')
    .select('on_hand')
    .where('item_id', '=', item_id)
    .where('location_id', '=', location_id)
    .where('lot_id', '=', '')
    .executeTakeFirst();
  const onHand = row?.on_hand ?? 0;
  if (onHand < qty * 1000) return reply.code(409).send({ code: 'insufficient_stock' });
  await new Promise((resolve) => setImmediate(resolve));
  await db.kysely
    .updateTable('balances')
    .set({ on_hand: onHand - qty * 1000 })
    .where('item_id', '=', item_id)
    .where('location_id', '=', location_id)
    .where('lot_id', '=', '')
    .execute();
  return reply.code(201).send({ ok: true });
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
