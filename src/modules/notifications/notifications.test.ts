import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import type { ManualClock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import { transact } from '../../platform/db/transaction.ts';
import { createUser, preparePassword } from '../access/index.ts';
import { createPurchaseOrder, createReceipt, createVendor, getPurchaseOrder, postReceipt, sendPurchaseOrder, setVendorItem } from '../purchasing/index.ts';
import { claimDeliveries, DeliveryWorker, onDeadLettered, purgeDeliveredDeliveries } from './delivery-worker.ts';
import { getDelivery, pauseDestination, redeliver, resumeDestination } from './deliveries.service.ts';
import { enqueueDelivery } from './enqueue.ts';
import { writeNotificationSettings } from './notification-settings.ts';
import { emitWebhookEvent } from './webhook-events.ts';
import { createWebhookSubscription, rotateWebhookSecret, sendTestWebhook, updateWebhookSubscription } from './webhook-subscriptions.service.ts';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  url: string;
}

/** A local HTTP receiver; `answer` decides each response (status, headers, or hang). */
async function startReceiver(answer: (req: Received, n: number) => { status: number; headers?: Record<string, string>; body?: string } | 'hang' = () => ({ status: 204 })) {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' };
      received.push(r);
      const a = answer(r, received.length);
      if (a === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(a.status, a.headers ?? {}).end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const policy = { baseMs: 10_000, capMs: 3_600_000, maxAttempts: 3 };

function workerFor(db: Database, clock: ManualClock, extra: Partial<ConstructorParameters<typeof DeliveryWorker>[0]> = {}) {
  // random() = 0.5 puts each wait at three quarters of its ceiling: 7.5 s, 15 s, 30 s …
  return new DeliveryWorker({ db, clock, random: () => 0.5, timeoutMs: 2000, backoff: policy, workerId: 'wkr_test', ...extra });
}

async function emit(db: Database, clock: ManualClock, type: 'order.created' | 'stock.level_changed', data: Record<string, unknown>, orderingKey?: string) {
  return transact(db, (trx) => emitWebhookEvent(trx, { type, data, ...(orderingKey ? { orderingKey } : {}) }, clock.now()));
}

describeEachDatabase('deliveries', (get) => {
  beforeAll(async () => {
    await writeNotificationSettings(get().db.kysely, { webhooks_allow_private: true });
  });
  beforeEach(async () => {
    const k = get().db.kysely;
    await k.deleteFrom('delivery_attempts').execute();
    await k.deleteFrom('deliveries').execute();
    await k.deleteFrom('paused_destinations').execute();
    await k.deleteFrom('webhook_subscriptions').execute();
    await writeNotificationSettings(k, { webhooks_allow_private: true });
  });

  it('signs a webhook the Standard Webhooks way, and the receiver verifies it with the package', async () => {
    const ctx = serviceContext(get().db);
    const receiver = await startReceiver();
    try {
      const { subscription, secret } = await createWebhookSubscription(ctx, { url: `${receiver.url}/hook`, event_types: ['order.created'] });
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      const eventId = await emit(get().db, ctx.clock, 'order.created', { order_id: 'ord_1' });
      // An event nobody subscribed to makes no delivery.
      await emit(get().db, ctx.clock, 'stock.level_changed', { item_id: 'itm_1' });
      expect(await workerFor(get().db, ctx.clock).runOnce()).toBe(1);

      expect(receiver.received).toHaveLength(1);
      const got = receiver.received[0]!;
      expect(got.headers['webhook-id']).toBe(eventId);
      expect(got.headers['webhook-timestamp']).toBe(String(Math.floor(Date.UTC(2026, 10, 2, 9) / 1000)));
      // verify() checks the timestamp against the real time: sign at the manual clock's time, verify with the package's own check of the signature.
      const payload = new Webhook(secret).verify(got.body, {
        'webhook-id': String(got.headers['webhook-id']),
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': new Webhook(secret).sign(String(got.headers['webhook-id']), new Date(), got.body),
      });
      expect(payload).toEqual({ type: 'order.created', timestamp: '2026-11-02T09:00:00.000Z', data: { order_id: 'ord_1' } });
      // And the signature the worker sent is exactly the package's for the sent timestamp.
      expect(got.headers['webhook-signature']).toBe(new Webhook(secret).sign(eventId, new Date(Date.UTC(2026, 10, 2, 9)), got.body));

      const [row] = await get().db.kysely.selectFrom('deliveries').selectAll().where('destination', '=', subscription.id).execute();
      expect(row).toMatchObject({ status: 'delivered', attempts: 1, delivered_at: Date.UTC(2026, 10, 2, 9) });
    } finally {
      await receiver.close();
    }
  });

  it('verifies with the package at the real time, and after a rotation both secrets sign', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    ctx.clock.set(Date.now());
    const receiver = await startReceiver();
    try {
      const made = await createWebhookSubscription(ctx, { url: receiver.url, event_types: ['*'] });
      const rotated = await rotateWebhookSecret(ctx, made.subscription.id);
      await sendTestWebhook(ctx, made.subscription.id);
      await workerFor(db, ctx.clock).runOnce();
      const got = receiver.received[0]!;
      const headers = { 'webhook-id': String(got.headers['webhook-id']), 'webhook-timestamp': String(got.headers['webhook-timestamp']), 'webhook-signature': String(got.headers['webhook-signature']) };
      expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(new Webhook(rotated.secret).verify(got.body, headers)).toMatchObject({ type: 'webhook.test' });
      expect(new Webhook(made.secret).verify(got.body, headers)).toMatchObject({ type: 'webhook.test' });
      expect(() => new Webhook('whsec_' + Buffer.alloc(24, 7).toString('base64')).verify(got.body, headers)).toThrow();
    } finally {
      await receiver.close();
    }
  });

  it('retries a 500 on an exponential schedule with jitter, logs each attempt, dead-letters after the limit, and redelivers by hand', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    const start = ctx.clock.now();
    const receiver = await startReceiver(() => ({ status: 500, body: 'database is down' }));
    try {
      await createWebhookSubscription(ctx, { url: receiver.url, event_types: ['order.created'] });
      await emit(db, ctx.clock, 'order.created', { order_id: 'ord_2' });
      const worker = workerFor(db, ctx.clock);
      expect(await worker.runOnce()).toBe(1);
      let [row] = await db.kysely.selectFrom('deliveries').selectAll().execute();
      // attempt 1 failed: wait 10 s ceiling → 5 s + 0.5 × 5 s = 7.5 s.
      expect(row).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: start + 7_500, last_error: 'the receiver answered 500' });
      ctx.clock.advance(7_499);
      expect(await worker.runOnce()).toBe(0);
      ctx.clock.advance(1);
      expect(await worker.runOnce()).toBe(1);
      [row] = await db.kysely.selectFrom('deliveries').selectAll().execute();
      // attempt 2 failed: 20 s ceiling → 15 s.
      expect(row).toMatchObject({ status: 'pending', attempts: 2, next_attempt_at: start + 7_500 + 15_000 });
      ctx.clock.advance(15_000);
      expect(await worker.runOnce()).toBe(1);
      [row] = await db.kysely.selectFrom('deliveries').selectAll().execute();
      expect(row).toMatchObject({ status: 'dead', attempts: 3 });
      const record = await getDelivery(ctx, row!.id);
      expect(record.attempts.map((a) => [a.attempt, a.outcome, a.status_code, a.response_excerpt])).toEqual([
        [1, 'retry', 500, 'database is down'],
        [2, 'retry', 500, 'database is down'],
        [3, 'dead', 500, 'database is down'],
      ]);
      expect(record.attempts.every((a) => a.latency_ms >= 0)).toBe(true);
      expect(receiver.received).toHaveLength(3);
      // Every attempt carried the same event id.
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);

      const again = await redeliver(ctx, row!.id);
      expect(again.delivery).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: ctx.clock.now() });
      await expect(redeliver(ctx, row!.id)).rejects.toMatchObject({ code: 'delivery_state' });
    } finally {
      await receiver.close();
    }
  });

  it('gives up on a receiver that hangs at the timeout, without holding up another destination', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    const slow = await startReceiver(() => 'hang');
    const fast = await startReceiver();
    try {
      await createWebhookSubscription(ctx, { url: slow.url, event_types: ['order.created'] });
      await createWebhookSubscription(ctx, { url: fast.url, event_types: ['order.created'] });
      await emit(db, ctx.clock, 'order.created', { order_id: 'ord_3' });
      const worker = workerFor(db, ctx.clock, { timeoutMs: 300 });
      const started = Date.now();
      await worker.runOnce();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(fast.received).toHaveLength(1);
      const rows = await db.kysely.selectFrom('deliveries').select(['status', 'last_error']).orderBy('status').execute();
      expect(rows).toEqual([
        { status: 'delivered', last_error: null },
        { status: 'pending', last_error: 'timed out' },
      ]);
    } finally {
      await slow.close();
      await fast.close();
    }
  });

  it('sends nothing to a paused destination and everything, in order, once resumed', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    const receiver = await startReceiver();
    try {
      const { subscription } = await createWebhookSubscription(ctx, { url: receiver.url, event_types: ['stock.level_changed'] });
      await pauseDestination(ctx, subscription.id, 'receiver moving');
      for (const n of [1, 2, 3]) await emit(db, ctx.clock, 'stock.level_changed', { n }, 'itm_A');
      const worker = workerFor(db, ctx.clock);
      expect(await worker.runOnce()).toBe(0);
      expect(receiver.received).toHaveLength(0);
      expect(await resumeDestination(ctx, subscription.id)).toEqual({ destination: subscription.id, released: 3 });
      // One in flight per ordering key: each pass sends the next one.
      for (let i = 0; i < 3; i += 1) expect(await worker.runOnce()).toBe(1);
      expect(receiver.received.map((r) => JSON.parse(r.body).data.n)).toEqual([1, 2, 3]);
      await expect(resumeDestination(ctx, subscription.id)).rejects.toMatchObject({ code: 'destination_not_paused' });
    } finally {
      await receiver.close();
    }
  });

  it('keeps one in flight per ordering key: a failing first message holds the later ones back, other keys go on', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    let failFirst = true;
    const receiver = await startReceiver((r) => {
      const data = JSON.parse(r.body).data;
      if (data.key === 'A' && data.n === 1 && failFirst) {
        failFirst = false;
        return { status: 503 };
      }
      return { status: 200 };
    });
    try {
      await createWebhookSubscription(ctx, { url: receiver.url, event_types: ['stock.level_changed'] });
      for (const n of [1, 2]) await emit(db, ctx.clock, 'stock.level_changed', { key: 'A', n }, 'itm_A');
      await emit(db, ctx.clock, 'stock.level_changed', { key: 'B', n: 1 }, 'itm_B');
      const worker = workerFor(db, ctx.clock, { concurrency: 8 });
      await worker.runOnce();
      await worker.runOnce();
      // A1 failed and waits 7.5 s; A2 must wait behind it; B1 went.
      expect(receiver.received.map((r) => JSON.parse(r.body).data)).toEqual(expect.arrayContaining([{ key: 'A', n: 1 }, { key: 'B', n: 1 }]));
      expect(receiver.received).toHaveLength(2);
      ctx.clock.advance(7_500);
      await worker.runOnce();
      await worker.runOnce();
      const a = receiver.received.map((r) => JSON.parse(r.body).data).filter((d) => d.key === 'A');
      expect(a).toEqual([
        { key: 'A', n: 1 },
        { key: 'A', n: 1 },
        { key: 'A', n: 2 },
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('refuses a loopback or private URL at subscribe time unless allowed, and again at send time', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    await writeNotificationSettings(db.kysely, { webhooks_allow_private: false });
    for (const url of ['http://127.0.0.1:9/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://localhost/x', 'ftp://example.com/x']) {
      await expect(createWebhookSubscription(ctx, { url, event_types: ['order.created'] }), url).rejects.toMatchObject({ code: 'webhook_url_refused' });
    }
    await writeNotificationSettings(db.kysely, { webhooks_allow_private: true });
    const receiver = await startReceiver();
    try {
      const { subscription } = await createWebhookSubscription(ctx, { url: receiver.url, event_types: ['order.created'] });
      await writeNotificationSettings(db.kysely, { webhooks_allow_private: false });
      await emit(db, ctx.clock, 'order.created', { order_id: 'ord_4' });
      await workerFor(db, ctx.clock).runOnce();
      expect(receiver.received).toHaveLength(0);
      const row = await db.kysely.selectFrom('deliveries').selectAll().where('destination', '=', subscription.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('dead');
      expect(row.last_error).toMatch(/^URL refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1/);
      await expect(updateWebhookSubscription(ctx, subscription.id, { url: 'http://192.168.1.10/hook' })).rejects.toMatchObject({ code: 'webhook_url_refused' });
    } finally {
      await receiver.close();
    }
  });

  it('sends a text the way a Twilio-compatible provider documents it, and honours Retry-After on 429', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    const provider = await startReceiver((_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '120' }, body: '{"code":20429}' } : { status: 201, body: '{"sid":"SM0123456789abcdef"}' }));
    try {
      await writeNotificationSettings(db.kysely, { sms_base_url: provider.url, sms_account_sid: 'AC_test_1', sms_auth_token: 'tok-secret', sms_from: '+15005550006' });
      await transact(db, (trx) => enqueueDelivery(trx, { channel: 'sms', destination: '+447700900123', eventType: 'item.low', payload: { to: '+447700900123', body: 'Milk is low at Main St' } }, ctx.clock.now()));
      const worker = workerFor(db, ctx.clock);
      await worker.runOnce();
      const first = provider.received[0]!;
      expect(first.url).toBe('/2010-04-01/Accounts/AC_test_1/Messages.json');
      expect(first.headers.authorization).toBe(`Basic ${Buffer.from('AC_test_1:tok-secret').toString('base64')}`);
      expect(first.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(new URLSearchParams(first.body))).toEqual({ To: '+447700900123', From: '+15005550006', Body: 'Milk is low at Main St' });
      let row = await db.kysely.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow();
      // Retry-After 120 s outweighs the 7.5 s back-off.
      expect(row).toMatchObject({ status: 'pending', next_attempt_at: ctx.clock.now() + 120_000 });
      ctx.clock.advance(119_999);
      expect(await worker.runOnce()).toBe(0);
      ctx.clock.advance(1);
      expect(await worker.runOnce()).toBe(1);
      row = await db.kysely.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'delivered', provider_ref: 'SM0123456789abcdef', attempts: 2 });
    } finally {
      await provider.close();
    }
  });

  it('emails a sent purchase order with its PDF to the vendor, copies the sender, records the message id, and retries a refusing SMTP server', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    const arrived: Array<{ from: string; to: string[]; raw: string }> = [];
    let refuse = true;
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (refuse) return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          arrived.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      await writeNotificationSettings(db.kysely, { smtp_url: `smtp://127.0.0.1:${port}`, mail_from: 'orders@shop.example' });
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx);
      const vendor = await createVendor(ctx, { name: `Mill ${Math.random()}`, email: 'sales@mill.example', contact_name: 'Ada' });
      await setVendorItem(ctx, vendor.id, item.id, { unit_cost: 2_000_000 });
      const user = await createUser(ctx, { email: `buyer.${Date.now()}@shop.example`, name: 'Bea Buyer', role: 'owner', sites: 'all', passwordHash: await preparePassword('plum-tractor-lantern-42') });
      const buyer: Actor = { kind: 'user', id: user.id, label: user.name, role: 'owner', sites: 'all' };
      const asBuyer = { ...ctx, actor: buyer };
      const po = await createPurchaseOrder(asBuyer, { vendor_id: vendor.id, delivery_site_id: shop.warehouse.id, lines: [{ item_id: item.id, qty: 5000 }] });
      const sent = await sendPurchaseOrder(asBuyer, po.id);
      expect(sent.email_delivery_id).toEqual(expect.stringMatching(/^dlv_/));
      const worker = workerFor(db, ctx.clock);
      await worker.runOnce();
      let row = await db.kysely.selectFrom('deliveries').selectAll().where('id', '=', sent.email_delivery_id!).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      const log = await getDelivery(ctx, row.id);
      expect(log.attempts[0]).toMatchObject({ outcome: 'retry', status_code: 550 });
      expect(arrived).toHaveLength(0);

      refuse = false;
      ctx.clock.advance(7_500);
      await worker.runOnce();
      row = await db.kysely.selectFrom('deliveries').selectAll().where('id', '=', sent.email_delivery_id!).executeTakeFirstOrThrow();
      expect(row.status).toBe('delivered');
      expect(arrived).toHaveLength(1);
      const mail = arrived[0]!;
      expect(mail.from).toBe('orders@shop.example');
      expect(mail.to.sort()).toEqual(['sales@mill.example', user.email].sort());
      const headerBlock = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n\s+/g, ' ');
      expect(headerBlock).toMatch(new RegExp(`^Subject: Purchase order ${po.number} from `, 'm'));
      expect(headerBlock).toMatch(/^To: sales@mill\.example$/m);
      expect(headerBlock).toMatch(new RegExp(`^Cc: ${user.email.replace(/\./g, '\\.')}$`, 'm'));
      expect(mail.raw).toMatch(/Content-Type: text\/plain/);
      expect(mail.raw).toMatch(/Content-Type: text\/html/);
      expect(mail.raw).toContain('Dear Ada,');
      const pdfPart = new RegExp(`Content-Type: application/pdf; name=${po.number}\\.pdf[\\s\\S]*?\\r?\\n\\r?\\n([A-Za-z0-9+/=\\r\\n]+)`).exec(mail.raw);
      expect(pdfPart).not.toBeNull();
      expect(Buffer.from(pdfPart![1]!.replace(/\s/g, ''), 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const messageId = /^Message-ID: (<[^>]+>)$/m.exec(headerBlock)![1];
      const after = await getPurchaseOrder(ctx, po.id);
      expect(after.email_message_id).toBe(messageId);
      expect(row.provider_ref).toBe(messageId);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it('takes over a claim whose worker died once its lease runs out', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    const receiver = await startReceiver();
    try {
      await createWebhookSubscription(ctx, { url: receiver.url, event_types: ['order.created'] });
      await emit(db, ctx.clock, 'order.created', { order_id: 'ord_5' });
      // Worker A claims and "dies" before sending.
      const claimed = await claimDeliveries(db, { workerId: 'wkr_dead', now: ctx.clock.now(), limit: 10, leaseMs: 60_000 });
      expect(claimed).toHaveLength(1);
      const survivor = workerFor(db, ctx.clock, { workerId: 'wkr_alive' });
      expect(await survivor.runOnce()).toBe(0);
      ctx.clock.advance(60_000);
      expect(await survivor.runOnce()).toBe(1);
      expect(receiver.received).toHaveLength(1);
      const row = await db.kysely.selectFrom('deliveries').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'delivered', attempts: 2, claimed_by: null });
    } finally {
      await receiver.close();
    }
  });
  it('emits purchase_order.sent and purchase_order.received from where they happen, in their transactions', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    const receiver = await startReceiver();
    try {
      await createWebhookSubscription(ctx, { url: receiver.url, event_types: ['purchase_order.sent', 'purchase_order.received'] });
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx);
      const vendor = await createVendor(ctx, { name: `No-mail ${Math.random()}` });
      await setVendorItem(ctx, vendor.id, item.id, { unit_cost: 1_000_000 });
      const po = await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: shop.warehouse.id, lines: [{ item_id: item.id, qty: 2000 }] });
      const sent = await sendPurchaseOrder(ctx, po.id);
      // A vendor without an address gets no email.
      expect(sent.email_delivery_id).toBeNull();
      await postReceipt(ctx, (await createReceipt(ctx, { purchase_order_id: po.id, lines: [{ purchase_order_line_id: po.lines[0]!.id, qty: 2000 }] })).id);
      const worker = workerFor(db, ctx.clock);
      // One purchase order's events share an ordering key: the receipt waits until `sent` is delivered.
      expect(await worker.runOnce()).toBe(1);
      expect(await worker.runOnce()).toBe(1);
      expect(receiver.received.map((r) => JSON.parse(r.body)).map((b) => [b.type, b.data.purchase_order_id])).toEqual([
        ['purchase_order.sent', po.id],
        ['purchase_order.received', po.id],
      ]);
    } finally {
      await receiver.close();
    }
  });

  it('tells dead-letter hooks once, in the transaction that dead-letters', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    await writeNotificationSettings(db.kysely, { sms_account_sid: null, sms_auth_token: null, sms_from: null });
    const told: string[] = [];
    onDeadLettered(async (_trx, delivery, error) => {
      told.push(`${delivery.destination}: ${error}`);
    });
    await transact(db, (trx) => enqueueDelivery(trx, { channel: 'sms', destination: '+447700900009', eventType: 'item.low', payload: { to: '+447700900009', body: 'x' } }, ctx.clock.now()));
    const worker = workerFor(db, ctx.clock, { backoff: { ...policy, maxAttempts: 1 } });
    await worker.runOnce();
    expect(told).toEqual(['+447700900009: the text provider is not configured (account SID, auth token and from-number)']);
  });

  it('purges delivered deliveries and their log after 30 days, keeping dead letters', async () => {
    const db = get().db;
    const ctx = serviceContext(db);
    await transact(db, async (trx) => {
      await enqueueDelivery(trx, { channel: 'sms', destination: '+447700900001', eventType: 'item.low', payload: { to: '+447700900001', body: 'a' } }, ctx.clock.now());
      await enqueueDelivery(trx, { channel: 'sms', destination: '+447700900002', eventType: 'item.low', payload: { to: '+447700900002', body: 'b' } }, ctx.clock.now());
    });
    const [first, second] = await db.kysely.selectFrom('deliveries').selectAll().orderBy('id').execute();
    const deliveredAt = ctx.clock.now();
    await db.kysely.updateTable('deliveries').set({ status: 'delivered', delivered_at: deliveredAt }).where('id', '=', first!.id).execute();
    await db.kysely.updateTable('deliveries').set({ status: 'dead' }).where('id', '=', second!.id).execute();
    expect(await purgeDeliveredDeliveries(db, deliveredAt + 30 * 86_400_000)).toBe(0);
    expect(await purgeDeliveredDeliveries(db, deliveredAt + 30 * 86_400_000 + 1)).toBe(1);
    expect((await db.kysely.selectFrom('deliveries').select('status').execute()).map((r) => r.status)).toEqual(['dead']);
  });
});

describeEachDatabase('deliveries with two workers', (get, dialect) => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const inFlight = new Set<string>();
  const seen = new Map<string, number>();
  let overlaps = 0;
  afterAll(async () => receiver?.close());

  it('never sends one delivery from two workers at once, and each event arrives once after de-duplication', async () => {
    const db = get().db;
    const other = await get().openAnother();
    const ctx = serviceContext(db);
    ctx.clock.set(Date.now());
    await writeNotificationSettings(db.kysely, { webhooks_allow_private: true });
    // Each request is held 5 ms, so a second copy of one delivery sent at once would overlap it.
    const server = http.createServer((req, res) => {
      const id = String(req.headers['webhook-id']);
      if (inFlight.has(id)) overlaps += 1;
      inFlight.add(id);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          inFlight.delete(id);
          res.writeHead(200).end();
        }, 5),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received: [], close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
    await createWebhookSubscription(ctx, { url: receiver.url, event_types: ['order.created'] });
    const events = dialect === 'postgres' ? 200 : 60;
    for (let i = 0; i < events; i += 1) await emit(db, ctx.clock, 'order.created', { n: i });
    const a = workerFor(db, ctx.clock, { workerId: 'wkr_a', concurrency: 6, perDestinationMax: 6 });
    const b = workerFor(other, ctx.clock, { workerId: 'wkr_b', concurrency: 6, perDestinationMax: 6 });
    const run = async (w: DeliveryWorker) => {
      let total = 0;
      for (let round = 0; round < 200; round += 1) {
        const n = await w.runOnce();
        total += n;
        if (n === 0) break;
      }
      return total;
    };
    const [na, nb] = await Promise.all([run(a), run(b)]);
    expect(na + nb).toBe(events);
    if (dialect === 'postgres') expect(Math.min(na, nb)).toBeGreaterThan(0);
    expect(overlaps).toBe(0);
    expect(seen.size).toBe(events);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const statuses = await db.kysely.selectFrom('deliveries').select('status').distinct().execute();
    expect(statuses).toEqual([{ status: 'delivered' }]);
  });
});
