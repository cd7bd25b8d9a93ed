import { beforeAll, expect, it } from 'vitest';
import { createToken, createUser, preparePassword } from '../src/modules/access/index.ts';
import { createAdjustment } from '../src/modules/adjustments/index.ts';
import { createSubscription, listNotifications } from '../src/modules/alerts/alerts.service.ts';
import { approveCount, cancelCount, createCount, enterCountLines, getCount, listCounts, resolveUnknownScan, scanIntoCount, submitCount } from '../src/modules/counts/index.ts';
import { createLocation } from '../src/modules/locations/index.ts';
import {
  cancelProductionOrder,
  closeProductionOrder,
  completeProductionOrder,
  createBomVersion,
  createProductionOrder,
  disassemble,
  getDisassembly,
  getProductionOrder,
  listProductionOrders,
  startProductionOrder,
} from '../src/modules/production/index.ts';
import { completeBody, createOrderBody, disassembleBody } from '../src/modules/production/production.schema.ts';
import { createChannel, getChannel, listChannels } from '../src/modules/sales/index.ts';
import { createSavedReport, deleteSavedReport, ownerActor, getSavedReport, listSavedReports, updateSavedReport } from '../src/modules/reports/saved-reports.service.ts';
import { acceptTransfer, cancelTransfer, closeTransfer, createTransfer, getTransfer, listTransfers, pickTransfer, receiveTransfer, shipTransfer } from '../src/modules/transfers/index.ts';
import { createTransferBody, pickBody, receiveBody, shipBody } from '../src/modules/transfers/transfers.schema.ts';
import type { Actor, ServiceContext } from '../src/platform/context.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem, makeShop } from './support/fixtures.ts';
import { $, q } from './support/shop.ts';

/**
 * The site checks of counts, transfers, production and saved reports, at service level (the
 * sibling of test/site-checks.test.ts, fast enough for `npm run test:mutation -- sites`). Every
 * document lives at site A (the store); a manager granted only site B (the warehouse) or nothing
 * must find none of them, for reads, lists and writes, with the not-found a missing document
 * gives; a manager granted A, and the owner (every site), find them all. A transfer goes from A
 * to a third site C, so its destination side can be checked too.
 */
describeEachDatabase('site checks of counts, transfers, production and saved reports', (get) => {
  const managerAt = (...sites: string[]): Actor => ({ kind: 'user', id: `usr_${sites.join('_') || 'none'}`, label: 'manager', role: 'manager', sites: new Set(sites) });
  let owner: ServiceContext;
  let atA: ServiceContext;
  let atB: ServiceContext;
  let atC: ServiceContext;
  let atNone: ServiceContext;
  let w: Awaited<ReturnType<typeof buildWorld>>;

  async function buildWorld(ctx: ServiceContext) {
    const shop = await makeShop(ctx);
    const [siteA, siteB] = [shop.store, shop.warehouse];
    const siteC = await createLocation(ctx, { kind: 'site', code: `C${process.pid % 10000}${Math.floor(Math.random() * 1000)}`, name: 'Site C', site_type: 'store' });
    const mug = await makeItem(ctx, { name: 'Mug', price: $('16.00') });
    const kit = await makeItem(ctx, { name: 'Mug kit', price: $('20.00') });
    await createAdjustment(ctx, { location_id: siteA.id, reason: 'opening_balance', lines: [{ item_id: mug.id, qty: q(40), unit_cost: $('4.90') }] });
    await createAdjustment(ctx, { location_id: siteB.id, reason: 'opening_balance', lines: [{ item_id: mug.id, qty: q(40), unit_cost: $('4.90') }] });

    const count = await createCount(ctx, { site_id: siteA.id, kind: 'spot', mode: 'guided', scope: { item_ids: [mug.id] } } as any);
    const scan = await scanIntoCount(ctx, count.count.id, { location_id: shop.storeBin, code: 'SITE-CHECK-UNKNOWN' } as any);
    expect(scan.result).toBe('held');

    const draft = await createTransfer(ctx, createTransferBody.parse({ source_site_id: siteA.id, destination_site_id: siteC.id, lines: [{ item_id: mug.id, qty: 3 }] }));
    const transfer = await shipTransfer(ctx, draft.transfer.id, shipBody.parse({ lines: [{ line_id: draft.lines[0]!.id, qty: 1 }] }));
    expect(transfer.transfer.status).toBe('in_transit');

    await createBomVersion(ctx, kit.id, { batch_qty: q(1), lines: [{ item_id: mug.id, qty: q(1) }] } as any);
    const planned = await createProductionOrder(ctx, createOrderBody.parse({ item_id: kit.id, site_id: siteA.id, qty: 3, start: true }));
    const productionOrder = await completeProductionOrder(ctx, planned.order.id, completeBody.parse({ qty_produced: 2, final: false }));
    expect(productionOrder.order.status).toBe('started');
    const disassembly = await disassemble(ctx, disassembleBody.parse({ item_id: kit.id, site_id: siteA.id, qty: 1 }));

    const definition = (filters: Record<string, string>) => ({ dataset: 'balances', dimensions: [], measures: ['count'], filters }) as any;
    const savedAtA = await createSavedReport(ctx, { name: 'At A', definition: definition({ site_id: siteA.id }), shared_with: ['manager'] });
    const savedEverywhere = await createSavedReport(ctx, { name: 'Everywhere', definition: definition({}), shared_with: ['manager'] });
    const channelA = await createChannel(ctx, { name: `Web A ${Math.random()}`, kind: 'online', site_ids: [siteA.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    const channelAC = await createChannel(ctx, { name: `Web AC ${Math.random()}`, kind: 'online', site_ids: [siteA.id, siteC.id], backorder_policy: 'refuse', reservation_ttl_minutes: null });
    return { shop, siteA, siteB, siteC, mug, kit, channelA, channelAC, count, unknownScanId: scan.unknownScanId!, transfer, productionOrder, disassembly, savedAtA, savedEverywhere };
  }

  beforeAll(async () => {
    owner = serviceContext(get().db);
    w = await buildWorld(owner);
    atA = { ...owner, actor: managerAt(w.siteA.id) };
    atB = { ...owner, actor: managerAt(w.siteB.id) };
    atC = { ...owner, actor: managerAt(w.siteC.id) };
    atNone = { ...owner, actor: managerAt() };
  });

  const missing = (code: string, id: string) => ({ code, message: expect.stringContaining(id) });

  const reads = () =>
    [
      ['count', w.count.count.id, (ctx: ServiceContext, id: string) => getCount(ctx, id), 'count_not_found'],
      ['transfer', w.transfer.transfer.id, (ctx: ServiceContext, id: string) => getTransfer(ctx, id), 'transfer_not_found'],
      ['production order', w.productionOrder.order.id, (ctx: ServiceContext, id: string) => getProductionOrder(ctx, id), 'production_order_not_found'],
      ['disassembly', w.disassembly.disassembly.id, (ctx: ServiceContext, id: string) => getDisassembly(ctx, id), 'disassembly_not_found'],
      ['saved report', w.savedAtA.id, (ctx: ServiceContext, id: string) => getSavedReport(ctx, id), 'saved_report_not_found'],
      ['channel', w.channelA.id, (ctx: ServiceContext, id: string) => getChannel(ctx, id), 'channel_not_found'],
    ] as const;

  it('answers every by-id read of a site A document with not-found to a caller granted only site B, or nothing', async () => {
    for (const [, id, read, code] of reads()) {
      await expect(read(atB, id), `${code} for B`).rejects.toMatchObject(missing(code, id));
      await expect(read(atNone, id), `${code} for none`).rejects.toMatchObject(missing(code, id));
    }
  });

  it('gives every site A document to a caller granted site A and to the owner, and answers an unknown id with not-found', async () => {
    for (const [what, id, read, code] of reads()) {
      await expect(read(atA, id), what).resolves.toBeDefined();
      await expect(read(owner, id), `${what} to the owner`).resolves.toBeDefined();
      await expect(read(atA, 'x_unknown'), `${what} unknown`).rejects.toMatchObject(missing(code, 'x_unknown'));
      await expect(read(owner, 'x_unknown'), `${what} unknown to the owner`).rejects.toMatchObject(missing(code, 'x_unknown'));
    }
    expect((await getCount(atA, w.count.count.id)).count.id).toBe(w.count.count.id);
    expect((await getDisassembly(atA, w.disassembly.disassembly.id)).disassembly.id).toBe(w.disassembly.disassembly.id);
  });

  it('shows a transfer to a caller granted its destination only, and a saved report about no site to every manager it is shared with', async () => {
    expect((await getTransfer(atC, w.transfer.transfer.id)).transfer.id).toBe(w.transfer.transfer.id);
    // A channel selling from A and C is seen by someone granted C alone.
    expect((await getChannel(atC, w.channelAC.id)).id).toBe(w.channelAC.id);
    await expect(getChannel(atC, w.channelA.id)).rejects.toMatchObject(missing('channel_not_found', w.channelA.id));
    for (const ctx of [atA, atB, atNone, owner]) expect((await getSavedReport(ctx, w.savedEverywhere.id)).id).toBe(w.savedEverywhere.id);
  });

  it('lists only the documents at granted sites', async () => {
    const mine = <T extends { id: string }>(ids: T[], ours: readonly string[]) => ids.map((r) => r.id).filter((id) => ours.includes(id));
    const ours = () => [w.count.count.id, w.transfer.transfer.id, w.productionOrder.order.id, w.savedAtA.id, w.savedEverywhere.id, w.channelA.id, w.channelAC.id];
    const ids = async (ctx: ServiceContext) => ({
      counts: mine((await listCounts(ctx, { limit: 50 })).records.map((r) => r.count), ours()),
      transfers: mine((await listTransfers(ctx, { limit: 50 })).records.map((r) => r.transfer), ours()),
      production: mine((await listProductionOrders(ctx, { limit: 50 })).records.map((r) => r.order), ours()),
      saved: mine(await listSavedReports(ctx), ours()),
      channels: mine(await listChannels(ctx), ours()).sort(),
    });
    const channels = [w.channelA.id, w.channelAC.id].sort();
    const all = { counts: [w.count.count.id], transfers: [w.transfer.transfer.id], production: [w.productionOrder.order.id], saved: [w.savedAtA.id, w.savedEverywhere.id], channels };
    expect(await ids(owner)).toEqual(all);
    expect(await ids(atA)).toEqual(all);
    expect(await ids(atC)).toEqual({ counts: [], transfers: [w.transfer.transfer.id], production: [], saved: [w.savedEverywhere.id], channels: [w.channelAC.id] });
    expect(await ids(atB)).toEqual({ counts: [], transfers: [], production: [], saved: [w.savedEverywhere.id], channels: [] });
    expect(await ids(atNone)).toEqual({ counts: [], transfers: [], production: [], saved: [w.savedEverywhere.id], channels: [] });
  });

  it('refuses every write on a site A document to a caller granted only site B, as if it did not exist', async () => {
    const count = w.count.count.id;
    const transfer = w.transfer.transfer.id;
    const order = w.productionOrder.order.id;
    const writes: Array<[string, string, () => Promise<unknown>]> = [
      ['count_not_found', count, () => enterCountLines(atB, count, [{ location_id: w.shop.storeBin, item_id: w.mug.id, qty: q(1) } as any])],
      ['count_not_found', count, () => scanIntoCount(atB, count, { location_id: w.shop.storeBin, code: 'SITE-CHECK-UNKNOWN' } as any)],
      ['count_not_found', count, () => resolveUnknownScan(atB, count, w.unknownScanId, { dismiss: true })],
      ['count_not_found', count, () => submitCount(atB, count, 'zero')],
      ['count_not_found', count, () => approveCount(atB, count, undefined)],
      ['count_not_found', count, () => cancelCount(atB, count)],
      ['transfer_not_found', transfer, () => acceptTransfer(atB, transfer)],
      ['transfer_not_found', transfer, () => pickTransfer(atB, transfer, pickBody.parse({}))],
      ['transfer_not_found', transfer, () => shipTransfer(atB, transfer, shipBody.parse({}))],
      ['transfer_not_found', transfer, () => receiveTransfer(atB, transfer, receiveBody.parse({}))],
      ['transfer_not_found', transfer, () => closeTransfer(atB, transfer)],
      ['transfer_not_found', transfer, () => cancelTransfer(atB, transfer)],
      ['production_order_not_found', order, () => startProductionOrder(atB, order)],
      ['production_order_not_found', order, () => completeProductionOrder(atB, order, completeBody.parse({ qty_produced: 1, final: false }))],
      ['production_order_not_found', order, () => closeProductionOrder(atB, order)],
      ['production_order_not_found', order, () => cancelProductionOrder(atB, order)],
      ['saved_report_not_found', w.savedAtA.id, () => updateSavedReport(atB, w.savedAtA.id, { name: 'x' })],
      ['saved_report_not_found', w.savedAtA.id, () => deleteSavedReport(atB, w.savedAtA.id)],
    ];
    for (const [code, id, write] of writes) await expect(write(), `${code}: ${write.toString().slice(6, 60)}`).rejects.toMatchObject(missing(code, id));
    expect((await getCount(owner, count)).count.status).toBe('counting');
    expect((await getTransfer(owner, transfer)).transfer.status).toBe('in_transit');
    expect((await getProductionOrder(owner, order)).order.status).toBe('started');
    expect((await getSavedReport(owner, w.savedAtA.id)).name).toBe('At A');
  });

  it('makes no document at site A for a caller granted only B or nothing, and lets only the source side ship a transfer', async () => {
    const siteA = w.siteA.id;
    for (const ctx of [atB, atNone]) {
      await expect(createCount(ctx, { site_id: siteA, kind: 'spot', mode: 'guided', scope: { item_ids: [w.mug.id] } } as any)).rejects.toMatchObject({ code: 'location_not_found', message: expect.stringContaining(siteA) });
      await expect(createTransfer(ctx, createTransferBody.parse({ source_site_id: siteA, destination_site_id: w.siteC.id, lines: [{ item_id: w.mug.id, qty: 1 }] }))).rejects.toMatchObject({ code: 'forbidden' });
    }
    // Not granted, unknown, or not a site at all: the same answer, naming the field.
    const noSite = (code: string, siteId: string) => ({ code, message: expect.stringContaining(siteId), errors: [{ field: 'body.site_id', code: 'not_found', message: 'no such site' }] });
    const refusals: Array<[ServiceContext, string]> = [[atB, siteA], [atNone, siteA], [owner, 'loc_unknown'], [owner, w.shop.storeBin]];
    for (const [ctx, siteId] of refusals) {
      await expect(createProductionOrder(ctx, createOrderBody.parse({ item_id: w.kit.id, site_id: siteId, qty: 1 })), `production at ${siteId}`).rejects.toMatchObject(noSite('production_order_invalid', siteId));
      await expect(disassemble(ctx, disassembleBody.parse({ item_id: w.kit.id, site_id: siteId, qty: 1 })), `disassembly at ${siteId}`).rejects.toMatchObject(noSite('disassembly_invalid', siteId));
    }
    // A transfer naming an unknown site and one the caller is not granted: refused for the site, not for the unknown id.
    const oneUnknown = [
      { source_site_id: 'loc_unknown', destination_site_id: w.siteC.id },
      { source_site_id: w.siteC.id, destination_site_id: 'loc_unknown' },
    ];
    for (const sites of oneUnknown) {
      await expect(createTransfer(atB, createTransferBody.parse({ ...sites, lines: [{ item_id: w.mug.id, qty: 1 }] })), JSON.stringify(sites)).rejects.toMatchObject({ code: 'forbidden' });
    }
    // Granted the destination only: may ask for stock, may not ship A's.
    const asked = await createTransfer(atC, createTransferBody.parse({ source_site_id: siteA, destination_site_id: w.siteC.id, lines: [{ item_id: w.mug.id, qty: 1 }] }));
    await expect(shipTransfer(atC, asked.transfer.id, shipBody.parse({}))).rejects.toMatchObject({ code: 'transfer_side_forbidden' });
    await cancelTransfer(owner, asked.transfer.id);
  });

  it('runs the schedules of a report saved by a token as the sites the token held, and by the system as every site', async () => {
    const granted = [w.siteB.id, w.siteA.id];
    const token: ServiceContext = { ...owner, actor: { kind: 'token', id: 'tok_site_check', label: 'token', role: 'manager', sites: new Set(granted) } };
    const saved = await createSavedReport(token, { name: 'By token', definition: { dataset: 'balances', dimensions: [], measures: ['count'] } as any });
    const rowOf = (id: string) => get().db.kysely.selectFrom('saved_reports').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const row = await rowOf(saved.id);
    // Stored sorted, so the same grants always read the same.
    expect(JSON.parse(row.run_as_sites_json)).toEqual([...granted].sort());
    expect((await ownerActor(get().db.kysely, row))?.sites).toEqual(new Set(granted));
    expect((await ownerActor(get().db.kysely, await rowOf(w.savedEverywhere.id)))?.sites).toBe('all');
  });

  it("lists a person's notifications only at the sites they are granted now, and subscribes a token only to sites it sees", async () => {
    const user = await createUser(owner, { email: `site-check.${process.pid}.${Math.random()}@example.test`, name: 'Both sites', role: 'manager', sites: [w.siteA.id, w.siteB.id], passwordHash: await preparePassword('site-check-walnut-harbour-77') });
    const now = owner.clock.now();
    const notice = (id: string, siteId: string) => ({ id, user_id: user.id, alert_id: `alr_${id}`, rule: 'low_stock', site_id: siteId, title: id, body: id, created_at: now, read_at: null });
    await get().db.kysely.insertInto('notifications').values([notice('ntf_sc_1_A', w.siteA.id), notice('ntf_sc_2_B', w.siteB.id), notice('ntf_sc_3_shop', '')]).execute();
    const inbox = async (sites: 'all' | string[]) => {
      const page = await listNotifications({ ...owner, actor: { kind: 'user', id: user.id, label: 'u', role: 'manager', sites: sites === 'all' ? 'all' : new Set(sites) } }, { limit: 10 });
      return { ids: page.data.map((n) => n.id), unread: page.unread_count };
    };
    expect(await inbox('all')).toEqual({ ids: ['ntf_sc_3_shop', 'ntf_sc_2_B', 'ntf_sc_1_A'], unread: 3 });
    expect(await inbox([w.siteA.id, w.siteB.id])).toEqual({ ids: ['ntf_sc_3_shop', 'ntf_sc_2_B', 'ntf_sc_1_A'], unread: 3 });
    expect(await inbox([w.siteB.id])).toEqual({ ids: ['ntf_sc_3_shop', 'ntf_sc_2_B'], unread: 2 });
    expect(await inbox([])).toEqual({ ids: ['ntf_sc_3_shop'], unread: 1 });

    // A token of that person granted only B: the person is granted A, the token does not see it.
    const asUser: ServiceContext = { ...owner, actor: { kind: 'user', id: user.id, label: 'u', role: 'manager', sites: new Set([w.siteA.id, w.siteB.id]) } };
    const { token } = await createToken(asUser, { name: 'B only', role: 'manager', sites: [w.siteB.id] });
    const asToken: ServiceContext = { ...owner, actor: { kind: 'token', id: token.id, label: 'token', role: 'manager', sites: new Set([w.siteB.id]) } };
    await expect(createSubscription(asToken, { rule: 'low_stock', site_id: w.siteA.id, channel: 'in_app' } as any)).rejects.toMatchObject({ code: 'alert_subscription_invalid' });
    expect((await createSubscription(asToken, { rule: 'low_stock', site_id: w.siteB.id, channel: 'in_app' } as any)).site_id).toBe(w.siteB.id);
    expect((await createSubscription(asUser, { rule: 'low_stock', site_id: w.siteA.id, channel: 'in_app' } as any)).site_id).toBe(w.siteA.id);
    expect((await createSubscription(owner, { user_id: user.id, rule: 'out_of_stock', site_id: w.siteA.id, channel: 'in_app' } as any)).site_id).toBe(w.siteA.id);
  });
});
