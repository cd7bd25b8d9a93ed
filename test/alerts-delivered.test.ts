import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUser, preparePassword } from '../src/modules/access/index.ts';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { createSubscription, updatePreferences } from '../src/modules/alerts/index.ts';
import { createWebhookSubscription, DeliveryWorker, writeNotificationSettings } from '../src/modules/notifications/index.ts';
import { updateSettings } from '../src/modules/settings/index.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';
import { $, q, sell } from './support/shop.ts';
import { MailCatcher } from './fakes/mail-catcher.ts';

/**
 * Issue 14's promise end to end: a sale that takes an item below its minimum sends exactly one
 * email to each subscribed user (seen by a real SMTP server), one text (seen by a fake of the
 * provider's API, which checks its auth and form) and one signed webhook (verified by the
 * receiver), and crossing the same threshold again within the rule's cooldown sends nothing more.
 * The worker delivers what the alert wrote to the outbox; nothing is asserted on outbox rows.
 */

interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
  url: string;
}

let smtp: MailCatcher;
let provider: http.Server;
let receiver: http.Server;
const texts: Hit[] = [];
const hooks: Hit[] = [];

function recorder(into: Hit[], status: number, answer = ''): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      into.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '' });
      res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
    });
  });
}

const listen = (server: { listen: (port: number, host: string, cb: () => void) => unknown }) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const portOf = (server: http.Server) => (server.address() as AddressInfo).port;

beforeAll(async () => {
  smtp = new MailCatcher();
  provider = recorder(texts, 201, JSON.stringify({ sid: 'SM0001', status: 'queued' }));
  receiver = recorder(hooks, 204);
  await Promise.all([smtp.start(), listen(provider), listen(receiver)]);
});

afterAll(async () => {
  await smtp.stop();
  for (const server of [provider, receiver]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describeEachDatabase('alerts delivered', (get) => {
  it('one email per subscriber, one text and one signed webhook for a sale below the minimum, and none again within the cooldown', async () => {
    smtp.mails.length = texts.length = hooks.length = 0;
    const db = get().db;
    const ctx = serviceContext(db);
    await updateSettings(ctx, { time_zone: 'UTC' });
    await writeNotificationSettings(db.kysely, {
      smtp_url: smtp.url,
      mail_from: 'alerts@shop.example',
      sms_base_url: `http://127.0.0.1:${portOf(provider)}`,
      sms_account_sid: 'AC_e2e',
      sms_auth_token: 'e2e-token',
      sms_from: '+15005550006',
      webhooks_allow_private: true,
    });
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { name: 'Oat milk', price: $('2.00'), reorder_point: q(5) });
    await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(8), unit_cost: $('1.00') }] });
    const passwordHash = await preparePassword('e2e-walnut-harbour-77');
    const manager = await createUser(ctx, { email: `mgr.${process.pid}@shop.example`, name: 'Mia Manager', role: 'manager', sites: [shop.store.id], passwordHash });
    const owner = await createUser(ctx, { email: `own.${process.pid}@shop.example`, name: 'Oli Owner', role: 'owner', sites: 'all', passwordHash });
    await updatePreferences(ctx, { user_id: manager.id, phone: '+15550100' });
    await createSubscription(ctx, { user_id: manager.id, rule: 'low_stock', site_id: shop.store.id, channel: 'email' });
    await createSubscription(ctx, { user_id: manager.id, rule: 'low_stock', site_id: shop.store.id, channel: 'sms' });
    await createSubscription(ctx, { user_id: owner.id, rule: 'low_stock', channel: 'email' });
    const hook = await createWebhookSubscription(ctx, { url: `http://127.0.0.1:${portOf(receiver)}/hooks`, event_types: ['item.low'] });

    const worker = new DeliveryWorker({ db, clock: ctx.clock, workerId: 'e2e', timeoutMs: 5000 });
    const deliverAll = async () => {
      for (let round = 0; round < 20 && (await worker.runOnce()) > 0; round += 1);
    };

    // 8 − 3 = 5: at the minimum is low.
    ctx.clock.advance(1000);
    await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 3 }], payments: [{ tender: 'cash', amount: '100.00' }] });
    await deliverAll();

    expect(smtp.mails.map((m) => m.to).sort()).toEqual([[manager.email], [owner.email]].sort());
    for (const mail of smtp.mails) expect(mail.raw).toContain('Subject: Low stock: Oat milk');

    expect(texts).toHaveLength(1);
    const form = new URLSearchParams(texts[0]!.body);
    expect([form.get('To'), form.get('From')]).toEqual(['+15550100', '+15005550006']);
    expect(form.get('Body')).toContain('Oat milk');
    expect(texts[0]!.url).toBe('/2010-04-01/Accounts/AC_e2e/Messages.json');
    expect(texts[0]!.headers.authorization).toBe(`Basic ${Buffer.from('AC_e2e:e2e-token').toString('base64')}`);

    expect(hooks).toHaveLength(1);
    // The test's clock is not the wall clock, so the timestamp is checked against the signature
    // (as `verify` does) rather than against now.
    const id = String(hooks[0]!.headers['webhook-id']);
    const timestamp = Number(hooks[0]!.headers['webhook-timestamp']);
    expect(timestamp).toBe(Math.floor(ctx.clock.now() / 1000));
    expect(hooks[0]!.headers['webhook-signature']).toBe(new Webhook(hook.secret).sign(id, new Date(timestamp * 1000), hooks[0]!.body));
    const signed = JSON.parse(hooks[0]!.body) as { type: string; data: Record<string, unknown> };
    expect(signed.type).toBe('item.low');
    expect(signed.data).toMatchObject({ item_id: item.id, site_id: shop.store.id, on_hand: 5, minimum: 5 });

    // Recover (5 + 3 = 8) and cross again (8 − 4 = 4) an hour later, inside the 24-hour cooldown.
    ctx.clock.advance(60_000);
    await createAdjustment(ctx, { location_id: shop.store.id, reason: 'found', lines: [{ item_id: item.id, qty: q(3), unit_cost: $('1.00') }] });
    ctx.clock.advance(3_600_000);
    await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 4 }], payments: [{ tender: 'cash', amount: '100.00' }] });
    await deliverAll();
    expect([smtp.mails.length, texts.length, hooks.length]).toEqual([2, 1, 1]);
  });
});
