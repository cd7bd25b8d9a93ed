import type { KyselyPlugin } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { $, q, sell } from '../../../test/support/shop.ts';
import type { ServiceContext } from '../../platform/context.ts';
import type { Database } from '../../platform/db/database.ts';
import { createUser, preparePassword, type PasswordHash } from '../access/index.ts';
import { createAdjustment } from '../adjustments/index.ts';
import { putLevel } from '../replenishment/index.ts';
import { updateSettings } from '../settings/index.ts';
import {
  createSubscription,
  evaluateTimedAlerts,
  fireAlert,
  listNotifications,
  markNotificationsRead,
  sendDigests,
  setWebhookSubscriberFinder,
  updatePreferences,
  updateRule,
} from './index.ts';

const HOUR = 3_600_000;
let userCounter = 0;

async function deliveriesSince(db: Database, createdAfter: number) {
  const rows = await db.kysely.selectFrom('deliveries').selectAll().where('created_at', '>', createdAfter).orderBy('id').execute();
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) }));
}

describeEachDatabase('alert rules', (get) => {
  let passwordHash: PasswordHash;
  beforeAll(async () => {
    passwordHash = await preparePassword('alerts-walnut-harbour-77');
  });
  const person = (ctx: ServiceContext, role: 'owner' | 'manager' | 'staff', sites: string[] | 'all') =>
    createUser(ctx, { email: `alerts.${process.pid}.${(userCounter += 1)}@example.test`, name: `${role} ${userCounter}`, role, sites, passwordHash });

  it('a sale that takes an item below its minimum writes one email per subscriber, one text, one in-app notification and one webhook per subscription, and nothing more within the cooldown', async () => {
    const ctx = serviceContext(get().db);
    await updateSettings(ctx, { time_zone: 'UTC' });
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { name: 'Oat milk', price: $('2.00'), reorder_point: q(5) });
    await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(8), unit_cost: $('1.00') }] });
    const manager = await person(ctx, 'manager', [shop.store.id]);
    const owner = await person(ctx, 'owner', 'all');
    // Subscribed to every site but granted only the warehouse: hears nothing of the store.
    const elsewhere = await person(ctx, 'staff', [shop.warehouse.id]);
    await updatePreferences(ctx, { user_id: manager.id, phone: '+15550100' });
    for (const channel of ['email', 'sms', 'in_app'] as const) await createSubscription(ctx, { user_id: manager.id, rule: 'low_stock', site_id: shop.store.id, channel });
    await createSubscription(ctx, { user_id: owner.id, rule: 'low_stock', channel: 'email' });
    await createSubscription(ctx, { user_id: owner.id, rule: 'low_stock', channel: 'in_app' });
    await createSubscription(ctx, { user_id: elsewhere.id, rule: 'low_stock', channel: 'email' });
    setWebhookSubscriberFinder(async (_trx, type) => (type === 'item.low' ? [{ id: 'whs_A' }, { id: 'whs_B' }] : []));
    try {
      const start = ctx.clock.now();
      ctx.clock.advance(1000);
      // 8 − 3 = 5: at the minimum is low.
      await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 3 }], payments: [{ tender: 'cash', amount: '100.00' }] });
      const first = await deliveriesSince(get().db, start);
      expect(first.filter((d) => d.channel === 'email').map((d) => d.destination).sort()).toEqual([manager.email, owner.email].sort());
      expect(first.filter((d) => d.channel === 'sms').map((d) => [d.destination, d.payload.to])).toEqual([['+15550100', '+15550100']]);
      const hooks = first.filter((d) => d.channel === 'webhook');
      expect(hooks.map((d) => [d.destination, d.event_type]).sort()).toEqual([
        ['whs_A', 'item.low'],
        ['whs_B', 'item.low'],
      ]);
      expect(hooks[0]!.payload.data).toMatchObject({ item_id: item.id, site_id: shop.store.id, on_hand: 5, minimum: 5 });
      expect(first).toHaveLength(5);
      const email = first.find((d) => d.destination === manager.email)!;
      expect(email.payload.subject).toBe(`Low stock: Oat milk (${item.sku}) at Store`);
      expect(email.payload.text).toBe(`Oat milk (${item.sku}) at Store has 5 ea on hand; its minimum there is 5 ea.`);
      const inbox = await listNotifications({ ...ctx, actor: { kind: 'user', id: manager.id, label: 'm', role: 'manager', sites: new Set([shop.store.id]) } }, { limit: 10 });
      expect([inbox.unread_count, inbox.data.map((n) => n.rule)]).toEqual([1, ['low_stock']]);
      const ownerInbox = await listNotifications({ ...ctx, actor: { kind: 'user', id: owner.id, label: 'o', role: 'owner', sites: 'all' } }, { limit: 10 });
      expect(ownerInbox.unread_count).toBe(1);

      // Still low (5 → 4): nothing new. Recovering (4 + 3 = 7) re-arms; crossing again (7 − 2 = 5)
      // inside the 24-hour cooldown sends nothing.
      const mark = ctx.clock.now();
      ctx.clock.advance(60_000);
      await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '100.00' }] });
      await createAdjustment(ctx, { location_id: shop.store.id, reason: 'found', lines: [{ item_id: item.id, qty: q(3), unit_cost: $('1.00') }] });
      ctx.clock.advance(HOUR);
      await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 2 }], payments: [{ tender: 'cash', amount: '100.00' }] });
      expect(await deliveriesSince(get().db, mark)).toEqual([]);

      // After the cooldown, a recovery and a new crossing fire again: once more each.
      ctx.clock.advance(24 * HOUR);
      await createAdjustment(ctx, { location_id: shop.store.id, reason: 'found', lines: [{ item_id: item.id, qty: q(2), unit_cost: $('1.00') }] });
      const later = ctx.clock.now();
      ctx.clock.advance(1000);
      await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 3 }], payments: [{ tender: 'cash', amount: '100.00' }] });
      const again = await deliveriesSince(get().db, later);
      expect(again.map((d) => d.channel).sort()).toEqual(['email', 'email', 'sms', 'webhook', 'webhook']);
      expect(again.find((d) => d.channel === 'webhook')!.payload.data.on_hand).toBe(4);
    } finally {
      setWebhookSubscriberFinder(null);
    }
  });

  it("holds a sale's stock to the site's own level before the item's reorder point, and to none where the level is delivered daily", async () => {
    const ctx = serviceContext(get().db);
    const [a, b] = [await makeShop(ctx), await makeShop(ctx)];
    const levelled = await makeItem(ctx, { name: 'Levelled', price: $('2.00'), reorder_point: q(1) });
    const daily = await makeItem(ctx, { name: 'Bread', price: $('2.00'), reorder_point: q(1) });
    await putLevel(ctx, levelled.id, a.store.id, { min: q(3), max: q(6) });
    await putLevel(ctx, daily.id, a.store.id, { min: q(2), max: q(4), delivered_daily: true });
    for (const shop of [a, b]) {
      await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: [levelled, daily].map((i) => ({ item_id: i.id, qty: q(5), unit_cost: $('1.00') })) });
    }
    // At A: 3 left is at the level's minimum (the reorder point alone would say nothing); the bread runs out, by design.
    await sell(ctx, { location_id: a.store.id, lines: [{ item_id: levelled.id, qty: 2 }, { item_id: daily.id, qty: 5 }], payments: [{ tender: 'cash', amount: '100.00' }] });
    // At B, with no level of its own: the reorder point.
    await sell(ctx, { location_id: b.store.id, lines: [{ item_id: levelled.id, qty: 4 }, { item_id: daily.id, qty: 3 }], payments: [{ tender: 'cash', amount: '100.00' }] });
    const states = await get()
      .db.kysely.selectFrom('alert_states')
      .select(['rule', 'subject_id', 'site_id'])
      .where('subject_id', 'in', [levelled.id, daily.id])
      .where('active', '=', 1)
      .execute();
    const names = new Map([[levelled.id, 'levelled'], [daily.id, 'daily'], [a.store.id, 'A'], [b.store.id, 'B']]);
    expect(states.map((s) => `${s.rule} ${names.get(s.subject_id)} ${names.get(s.site_id)}`).sort()).toEqual(['low_stock levelled A', 'low_stock levelled B']);
  });

  it('fires every alert state with one statement text, its time bound rather than written in', async () => {
    // A time written into the text made each firing a new statement for SQLite to prepare and a
    // new named statement on PostgreSQL.
    const texts = new Set<string>();
    const db = get().db;
    const recorder: KyselyPlugin = {
      transformQuery(args) {
        const node = args.node as { kind: string; into?: { table: { identifier: { name: string } } } };
        if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'alert_states') texts.add(db.kysely.getExecutor().compileQuery(args.node, args.queryId).sql);
        return args.node;
      },
      async transformResult(args) {
        return args.result;
      },
    };
    const ctx = serviceContext({ ...db, kysely: db.kysely.withPlugin(recorder) });
    const shop = await makeShop(ctx);
    const items = [await makeItem(ctx, { name: 'Wick', price: $('1.00'), reorder_point: q(2) }), await makeItem(ctx, { name: 'Wax', price: $('1.00'), reorder_point: q(2) })];
    await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: items.map((i) => ({ item_id: i.id, qty: q(5), unit_cost: $('0.50') })) });
    const firedAt: number[] = [];
    for (const item of items) {
      ctx.clock.advance(HOUR);
      firedAt.push(ctx.clock.now());
      await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 4 }], payments: [{ tender: 'cash', amount: '10.00' }] });
    }
    const states = await db.kysely.selectFrom('alert_states').select(['subject_id', 'last_fired_at']).where('subject_id', 'in', items.map((i) => i.id)).where('rule', '=', 'low_stock').orderBy('last_fired_at').execute();
    expect(states.map((s) => [s.subject_id, Number(s.last_fired_at)])).toEqual(items.map((item, i) => [item.id, firedAt[i]]));
    expect([...texts]).toHaveLength(1);
    expect([...texts][0]).toMatch(/case when/i);
    for (const at of firedAt) expect([...texts][0]).not.toContain(String(at));
  });

  it('sends one negative-stock alert, not three, when a counter sale takes an item from plenty to below zero', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { name: 'Candle', price: $('2.00'), reorder_point: q(2) });
    await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(4), unit_cost: $('5.00') }] });
    const owner = await person(ctx, 'owner', 'all');
    for (const rule of ['low_stock', 'out_of_stock', 'negative_stock'] as const) await createSubscription(ctx, { user_id: owner.id, rule, site_id: shop.store.id, channel: 'email' });
    const start = ctx.clock.now();
    ctx.clock.advance(1000);
    await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 5 }], payments: [{ tender: 'cash', amount: '100.00' }] });
    const sent = (await deliveriesSince(get().db, start)).filter((d) => d.destination === owner.email);
    expect(sent.map((d) => [d.event_type, d.payload.subject])).toEqual([['alert.negative_stock', `Negative stock: Candle (${item.sku}) at Store`]]);
    expect(sent[0]!.payload.text).toBe(`Candle (${item.sku}) at Store shows -1 ea on hand, below zero: the records are wrong. Count it.`);
  });

  it('holds an email and a text back until the end of the person’s quiet hours, in the shop’s time zone', async () => {
    const ctx = serviceContext(get().db);
    // 2026-11-02 09:00 UTC is 04:00 in New York (EST, UTC−5, since 1 November).
    ctx.clock.set(Date.UTC(2026, 10, 2, 9));
    await updateSettings(ctx, { time_zone: 'America/New_York' });
    try {
      const shop = await makeShop(ctx);
      const item = await makeItem(ctx, { name: 'Mug', price: $('2.00'), reorder_point: q(1) });
      await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: [{ item_id: item.id, qty: q(2), unit_cost: $('5.00') }] });
      const sleeper = await person(ctx, 'manager', [shop.store.id]);
      const awake = await person(ctx, 'manager', [shop.store.id]);
      await updatePreferences(ctx, { user_id: sleeper.id, phone: '+15550199', quiet_from: '22:00', quiet_to: '07:00' });
      for (const who of [sleeper, awake]) await createSubscription(ctx, { user_id: who.id, rule: 'low_stock', channel: 'email' });
      await createSubscription(ctx, { user_id: sleeper.id, rule: 'low_stock', channel: 'sms' });
      const start = ctx.clock.now();
      ctx.clock.advance(1000);
      await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: item.id, qty: 1 }], payments: [{ tender: 'cash', amount: '100.00' }] });
      const sent = await deliveriesSince(get().db, start);
      const at = (d: { destination: string; channel: string }) => sent.find((s) => s.destination === d.destination && s.channel === d.channel)!.next_attempt_at;
      // 07:00 EST is 12:00 UTC.
      expect(Number(at({ destination: sleeper.email, channel: 'email' }))).toBe(Date.UTC(2026, 10, 2, 12));
      expect(Number(at({ destination: '+15550199', channel: 'sms' }))).toBe(Date.UTC(2026, 10, 2, 12));
      expect(Number(at({ destination: awake.email, channel: 'email' }))).toBe(Date.UTC(2026, 10, 2, 9) + 1000);
    } finally {
      await updateSettings(ctx, { time_zone: 'UTC' });
    }
  });

  it('collects digest subscribers’ alerts into one email each morning instead of one each', async () => {
    const ctx = serviceContext(get().db);
    ctx.clock.set(Date.UTC(2026, 10, 10, 15));
    const shop = await makeShop(ctx);
    const a = await makeItem(ctx, { name: 'Beans', price: $('2.00'), reorder_point: q(10) });
    const b = await makeItem(ctx, { name: 'Cups', price: $('2.00'), reorder_point: q(10) });
    await createAdjustment(ctx, { location_id: shop.store.id, reason: 'opening_balance', lines: [a, b].map((i) => ({ item_id: i.id, qty: q(11), unit_cost: $('1.00') })) });
    const reader = await person(ctx, 'manager', [shop.store.id]);
    await createSubscription(ctx, { user_id: reader.id, rule: 'low_stock', site_id: shop.store.id, channel: 'email', digest: true });
    const start = ctx.clock.now();
    await sell(ctx, { location_id: shop.store.id, lines: [{ item_id: a.id, qty: 1 }, { item_id: b.id, qty: 2 }], payments: [{ tender: 'cash', amount: '100.00' }] });
    const mine = async () => (await deliveriesSince(get().db, start)).filter((d) => d.destination === reader.email);
    expect(await mine()).toEqual([]);
    // Next morning, 06:59 UTC: not yet. 07:00: one email with both alerts. Again at 08:00: nothing.
    ctx.clock.set(Date.UTC(2026, 10, 11, 6, 59));
    await sendDigests(ctx);
    expect(await mine()).toEqual([]);
    ctx.clock.set(Date.UTC(2026, 10, 11, 7, 0));
    await sendDigests(ctx);
    ctx.clock.set(Date.UTC(2026, 10, 11, 8, 0));
    await sendDigests(ctx);
    const digests = await mine();
    expect(digests).toHaveLength(1);
    expect(digests[0]!.event_type).toBe('alert.digest');
    expect(digests[0]!.payload.subject).toBe('My shop: 2 alerts since the last digest');
    expect(digests[0]!.payload.text).toContain(`Low stock: Beans (${a.sku}) at Store`);
    expect(digests[0]!.payload.text).toContain(`Cups (${b.sku}) at Store has 9 ea on hand; its minimum there is 10 ea.`);
  });

  it('tells only people who may see costs what a variance is worth', async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const staff = await person(ctx, 'staff', [shop.store.id]);
    const manager = await person(ctx, 'manager', [shop.store.id]);
    for (const who of [staff, manager]) await createSubscription(ctx, { user_id: who.id, rule: 'count_variance', channel: 'in_app' });
    await get().db.kysely.transaction().execute((trx) =>
      fireAlert(trx, { rule: 'count_variance', siteId: shop.store.id, subjectType: 'count_line', subjectId: 'cnl_X', title: 'Count variance', body: 'Found -12 ea.', costBody: 'Value of the variance: -60.00.', data: {} }, ctx.clock.now()),
    );
    const bodies = await get().db.kysely.selectFrom('notifications').select(['user_id', 'body']).where('user_id', 'in', [staff.id, manager.id]).execute();
    expect(Object.fromEntries(bodies.map((r) => [r.user_id, r.body]))).toEqual({ [staff.id]: 'Found -12 ea.', [manager.id]: 'Found -12 ea.\nValue of the variance: -60.00.' });
  });

  it('raises a failed delivery once to owners and managers, never about its own failed alerts', async () => {
    const ctx = serviceContext(get().db);
    await updateRule(ctx, 'discounts_voids', { enabled: false });
    const owner = await person(ctx, 'owner', 'all');
    await createSubscription(ctx, { user_id: owner.id, rule: 'delivery_failed', channel: 'in_app' });
    const now = ctx.clock.now();
    const dead = (id: string, eventType: string) => ({ id, channel: 'webhook', destination: 'whs_Z', ordering_key: null, event_id: id, event_type: eventType, payload: '{}', status: 'dead', attempts: 8, next_attempt_at: now, created_at: now, delivered_at: null });
    await get().db.kysely.insertInto('deliveries').values([dead('dlv_DEAD1', 'item.low'), dead('dlv_DEAD2', 'alert.delivery_failed')]).execute();
    ctx.clock.advance(1000);
    await evaluateTimedAlerts(ctx);
    ctx.clock.advance(1000);
    await evaluateTimedAlerts(ctx);
    const asOwner = { ...ctx, actor: { kind: 'user' as const, id: owner.id, label: 'o', role: 'owner' as const, sites: 'all' as const } };
    const inbox = await listNotifications(asOwner, { limit: 10 });
    expect(inbox.data.map((n) => n.title)).toEqual(['Delivery failed: item.low by webhook']);
    expect(await markNotificationsRead(asOwner, { all: true })).toEqual({ marked: 1 });
    expect((await listNotifications(asOwner, { limit: 10, unread: 'true' })).unread_count).toBe(0);
    await updateRule(ctx, 'discounts_voids', { enabled: true });
  });

  it('raises a lot expiring within the rule’s days once, and again only after it has left and come back', async () => {
    const ctx = serviceContext(get().db);
    ctx.clock.set(Date.UTC(2026, 10, 2, 9));
    await updateRule(ctx, 'lot_expiring', { days: 7 });
    const shop = await makeShop(ctx);
    const item = await makeItem(ctx, { name: 'Yoghurt', price: $('2.00'), tracking: 'lot', tracks_expiry: true });
    const owner = await person(ctx, 'owner', 'all');
    await createSubscription(ctx, { user_id: owner.id, rule: 'lot_expiring', site_id: shop.store.id, channel: 'email' });
    // 6 November is within 7 days of 2 November; 20 November is not.
    await createAdjustment(ctx, {
      location_id: shop.store.id,
      reason: 'opening_balance',
      lines: [
        { item_id: item.id, qty: q(4), unit_cost: $('1.00'), lot_code: 'L-SOON', expires_on: '2026-11-06' },
        { item_id: item.id, qty: q(4), unit_cost: $('1.00'), lot_code: 'L-LATER', expires_on: '2026-11-20' },
      ],
    });
    const start = ctx.clock.now();
    ctx.clock.advance(1000);
    await evaluateTimedAlerts(ctx);
    ctx.clock.advance(1000);
    await evaluateTimedAlerts(ctx);
    const sent = (await deliveriesSince(get().db, start)).filter((d) => d.destination === owner.email);
    expect(sent.map((d) => d.payload.subject)).toEqual([`Expiring: lot L-SOON of Yoghurt (${item.sku}) at Store`]);
    expect(sent[0]!.payload.text).toBe(`4 ea of lot L-SOON of Yoghurt (${item.sku}) at Store expires on 2026-11-06.`);
    await updateRule(ctx, 'lot_expiring', { days: 7 });
  });
});
