import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/platform/context.ts';
import { reserveStock } from '../../src/modules/ledger/index.ts';
import { makeUser, signIn, TEST_PASSWORD } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

/**
 * The ledger's read routes (balances, movements, lots, reservations) as thin glue: each query
 * parameter reaches the service, each answer has its fields, and staff see no cost. Short cases,
 * so that a mutation run of `ledger.routes.ts` can afford them; the broader stock suites cover
 * the services behind.
 */
describeEachDatabase('ledger read routes', (get) => {
  let api: TestApi;
  let site: any;
  let binA: any;
  let binB: any;
  let other: any;
  let item: any;
  let tracked: any;
  let firstAdjustment: any;
  let beforeSecond: string;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    const tag = `${Date.now() % 1_000_000}`;
    site = (await api.post('/api/v1/locations', { kind: 'site', code: `LR${tag}`, name: 'Ledger site', site_type: 'warehouse' })).body;
    binA = (await api.post('/api/v1/locations', { kind: 'bin', parent_id: site.id, code: `LR${tag}-A`, name: 'A' })).body;
    binB = (await api.post('/api/v1/locations', { kind: 'bin', parent_id: site.id, code: `LR${tag}-B`, name: 'B' })).body;
    other = (await api.post('/api/v1/locations', { kind: 'site', code: `LO${tag}`, name: 'Other site', site_type: 'store' })).body;
    item = (await api.post('/api/v1/items', { sku: `LR-${tag}`, name: 'Ledger widget' })).body;
    tracked = (await api.post('/api/v1/items', { sku: `LRT-${tag}`, name: 'Tracked widget', tracking: 'lot' })).body;
    firstAdjustment = (await api.post('/api/v1/adjustments', { location_id: binA.id, reason: 'found', lines: [{ item_id: item.id, qty: 5, unit_cost: '2.00' }] })).body;
    api.clock.advance(60_000);
    beforeSecond = new Date(api.clock.now()).toISOString();
    api.clock.advance(60_000);
    await api.post('/api/v1/adjustments', { location_id: binB.id, reason: 'found', lines: [{ item_id: item.id, qty: 3, unit_cost: '2.00' }] });
    await api.post('/api/v1/adjustments', { location_id: other.id, reason: 'found', lines: [{ item_id: item.id, qty: 2, unit_cost: '2.00' }] });
    await api.post('/api/v1/adjustments', { location_id: binA.id, reason: 'found', lines: [{ item_id: tracked.id, qty: 4, lot_code: 'L-EARLY', expires_on: '2027-01-31' }] });
    await api.post('/api/v1/adjustments', { location_id: binA.id, reason: 'found', lines: [{ item_id: tracked.id, qty: 1, lot_code: 'L-LATE', expires_on: '2027-06-30' }] });
  });

  const ctx = () => ({ db: get().db, clock: api.clock, actor: systemActor });

  describe('balances', () => {
    it('lists an item’s balances below a site, with reserved and available', async () => {
      const page = (await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${site.id}`)).body;
      expect(page.as_of).toBeNull();
      expect(page.next_cursor).toBeNull();
      expect(page.data.map((b: any) => [b.location_id, b.on_hand]).sort()).toEqual([[binA.id, 5], [binB.id, 3]].sort());
      expect(page.data[0]).toMatchObject({ item_id: item.id, lot_id: null, reserved: 0, available: page.data[0].on_hand });
    });

    it('answers as of a past instant, echoing it', async () => {
      const page = (await api.get(`/api/v1/balances?item_id=${item.id}&as_of=${encodeURIComponent(beforeSecond)}`)).body;
      expect(page.as_of).toBe(beforeSecond);
      expect(page.data.map((b: any) => [b.location_id, b.on_hand])).toEqual([[binA.id, 5]]);
    });

    it('sums per item when asked, and pages with a cursor', async () => {
      const grouped = (await api.get(`/api/v1/balances?item_id=${item.id}&group_by=item`)).body.data;
      expect(grouped).toEqual([expect.objectContaining({ item_id: item.id, location_id: null, on_hand: 10 })]);
      const first = (await api.get(`/api/v1/balances?item_id=${item.id}&limit=2`)).body;
      expect(first.data).toHaveLength(2);
      expect(first.next_cursor).toEqual(expect.any(String));
      const second = (await api.get(`/api/v1/balances?item_id=${item.id}&limit=2&cursor=${encodeURIComponent(first.next_cursor)}`)).body;
      expect(second.data).toHaveLength(1);
      expect(second.next_cursor).toBeNull();
      // The third is the other site's default bin, where its adjustment went.
      const seen = [...first.data, ...second.data].map((b: any) => b.location_id);
      expect(new Set(seen).size).toBe(3);
      expect(seen).toEqual(expect.arrayContaining([binA.id, binB.id]));
    });

    it('shows virtual locations only when asked', async () => {
      const spent = await api.post('/api/v1/adjustments', { location_id: binB.id, reason: 'damaged', lines: [{ item_id: item.id, qty: -1 }] });
      expect(spent.status).toBe(201);
      const physical = (await api.get(`/api/v1/balances?item_id=${item.id}`)).body.data.map((b: any) => b.location_id);
      const all = (await api.get(`/api/v1/balances?item_id=${item.id}&include_virtual=true`)).body.data.map((b: any) => b.location_id);
      expect(all.length).toBeGreaterThan(physical.length);
      expect(all).toEqual(expect.arrayContaining(physical));
    });
  });

  describe('movements', () => {
    it('filters by item, location, document, kind and time, newest first', async () => {
      const ofItem = (await api.get(`/api/v1/movements?item_id=${item.id}`)).body.data;
      expect(ofItem.length).toBeGreaterThanOrEqual(3);
      expect(ofItem.every((m: any) => m.item_id === item.id)).toBe(true);
      const times = ofItem.map((m: any) => m.effective_at);
      expect([...times].sort().reverse()).toEqual(times);
      const atB = (await api.get(`/api/v1/movements?item_id=${item.id}&location_id=${binB.id}`)).body.data;
      expect(atB.length).toBeGreaterThanOrEqual(1);
      expect(atB.every((m: any) => m.to_location_id === binB.id || m.from_location_id === binB.id)).toBe(true);
      const ofDocument = (await api.get(`/api/v1/movements?document_id=${firstAdjustment.id}`)).body.data;
      expect(ofDocument).toEqual([expect.objectContaining({ document_id: firstAdjustment.id, document_type: 'adjustment', qty: 5, to_location_id: binA.id, kind: 'adjustment', reason: 'found' })]);
      expect((await api.get(`/api/v1/movements?document_id=${firstAdjustment.id}&document_type=sale`)).body.data).toEqual([]);
      expect((await api.get(`/api/v1/movements?item_id=${item.id}&kind=sale`)).body.data).toEqual([]);
      const early = (await api.get(`/api/v1/movements?item_id=${item.id}&to=${encodeURIComponent(beforeSecond)}`)).body.data;
      expect(early.map((m: any) => m.document_id)).toEqual([firstAdjustment.id]);
      const late = (await api.get(`/api/v1/movements?item_id=${item.id}&from=${encodeURIComponent(beforeSecond)}`)).body.data;
      expect(late.map((m: any) => m.document_id)).not.toContain(firstAdjustment.id);
      expect(late.length).toBe(ofItem.length - 1);
    });

    it('pages with a cursor', async () => {
      const first = (await api.get(`/api/v1/movements?item_id=${item.id}&limit=1`)).body;
      expect(first.data).toHaveLength(1);
      const second = (await api.get(`/api/v1/movements?item_id=${item.id}&limit=1&cursor=${encodeURIComponent(first.next_cursor)}`)).body;
      expect(second.data).toHaveLength(1);
      expect(second.data[0].id).not.toBe(first.data[0].id);
    });

    it('shows costs to an owner and never to staff', async () => {
      const [owned] = (await api.get(`/api/v1/movements?document_id=${firstAdjustment.id}`)).body.data;
      expect(owned).toMatchObject({ unit_cost: '2.00', value: '10.00' });
      const { email } = await makeUser(api, 'staff', [site.id]);
      const signed = await signIn(api, email, TEST_PASSWORD);
      const [seen] = (await api.as({ session: signed.session }).get(`/api/v1/movements?document_id=${firstAdjustment.id}`)).body.data;
      expect(seen.id).toBe(owned.id);
      expect(seen).not.toHaveProperty('unit_cost');
      expect(seen).not.toHaveProperty('value');
    });
  });

  describe('what a caller may ask', () => {
    it('validates the query before the service sees it', async () => {
      for (const path of ['/api/v1/lots', `/api/v1/lots?item_id=${site.id}`, `/api/v1/reservations?item_id=${site.id}`, `/api/v1/reservations?location_id=${item.id}`]) {
        const response = await api.get(path);
        expect(response.status, path).toBe(400);
        expect(response.body.code).toBe('validation_failed');
      }
    });

    it('refuses a location at a site the caller is not granted, on every route that takes one', async () => {
      const { email } = await makeUser(api, 'staff', [other.id]);
      const signed = await signIn(api, email, TEST_PASSWORD);
      const staff = api.as({ session: signed.session });
      for (const path of [`/api/v1/balances?location_id=${binA.id}`, `/api/v1/movements?location_id=${binA.id}`, `/api/v1/reservations?location_id=${binA.id}`]) {
        const response = await staff.get(path);
        expect(response.status, path).toBe(403);
        expect(response.body).toMatchObject({ code: 'forbidden', detail: `You have no grant for the site of ${binA.id}.` });
      }
    });
  });

  describe('lots and reservations', () => {
    it('lists an item’s lots, soonest expiry first', async () => {
      const lots = (await api.get(`/api/v1/lots?item_id=${tracked.id}`)).body.data;
      expect(lots.map((l: any) => [l.code, l.expires_on])).toEqual([
        ['L-EARLY', '2027-01-31'],
        ['L-LATE', '2027-06-30'],
      ]);
      expect(lots[0]).toMatchObject({ item_id: tracked.id, kind: 'lot', id: expect.stringMatching(/^lot_/) });
      expect((await api.get(`/api/v1/lots?item_id=${item.id}`)).body.data).toEqual([]);
    });

    it('lists open reservations by item, location and document', async () => {
      // reserveStock takes thousandths of the base unit, as the ledger stores quantities.
      const held = await reserveStock(ctx(), { itemId: item.id, locationId: binA.id, qty: 2_000, documentType: 'order', documentId: 'ord_ledger_routes_1' });
      await reserveStock(ctx(), { itemId: item.id, locationId: binB.id, qty: 1_000, documentType: 'order', documentId: 'ord_ledger_routes_2' });
      const plain = (await api.post('/api/v1/items', { sku: `LRP-${Date.now()}`, name: 'Another widget' })).body;
      await api.post('/api/v1/adjustments', { location_id: binA.id, reason: 'found', lines: [{ item_id: plain.id, qty: 1, unit_cost: '1.00' }] });
      await reserveStock(ctx(), { itemId: plain.id, locationId: binA.id, qty: 1_000, documentType: 'order', documentId: 'ord_ledger_routes_3' });
      const byItem = (await api.get(`/api/v1/reservations?item_id=${item.id}`)).body.data;
      expect(byItem.map((r: any) => r.document_id)).toEqual(['ord_ledger_routes_1', 'ord_ledger_routes_2']);
      expect(byItem[0]).toMatchObject({ id: held.id, item_id: item.id, location_id: binA.id, lot_id: null, qty: 2, document_type: 'order', expires_at: null });
      const atB = (await api.get(`/api/v1/reservations?item_id=${item.id}&location_id=${binB.id}`)).body.data;
      expect(atB.map((r: any) => r.document_id)).toEqual(['ord_ledger_routes_2']);
      const bySite = (await api.get(`/api/v1/reservations?location_id=${site.id}`)).body.data;
      expect(bySite.map((r: any) => r.document_id).sort()).toEqual(['ord_ledger_routes_1', 'ord_ledger_routes_2', 'ord_ledger_routes_3']);
      const byDocument = (await api.get(`/api/v1/reservations?document_id=ord_ledger_routes_1`)).body.data;
      expect(byDocument.map((r: any) => r.id)).toEqual([held.id]);
      expect((await api.get(`/api/v1/reservations?location_id=${other.id}`)).body.data).toEqual([]);
      const balance = (await api.get(`/api/v1/balances?item_id=${item.id}&location_id=${binA.id}`)).body.data[0];
      expect(balance).toMatchObject({ on_hand: 5, reserved: 2, available: 3 });
    });
  });
});
