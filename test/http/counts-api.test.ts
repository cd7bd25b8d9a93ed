import { beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { makeToken } from '../support/access.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';
import { pdfText } from '../support/pdf.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}`;
const minute = 60_000;

function expectProblem(response: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code });
}

describeEachDatabase('HTTP API: counts', (get) => {
  let api: TestApi;
  let store: any;
  let otherStore: any;
  let manager: { bearer: string };
  let staff: { bearer: string };
  let elsewhere: { bearer: string };
  const key = () => ({ 'idempotency-key': unique('key') });

  async function item(overrides: Record<string, unknown> = {}) {
    const body = (await api.post('/api/v1/items', { sku: unique('CNT'), name: 'Counted thing', price: '5.00', category: 'Mugs', ...overrides })).body;
    expect(body.id).toMatch(/^itm_/);
    return body;
  }
  async function stock(itemId: string, qty: number, location = store.id) {
    expect((await api.post('/api/v1/adjustments', { location_id: location, reason: 'opening_balance', lines: [{ item_id: itemId, qty, unit_cost: '2.00' }] })).status).toBe(201);
  }
  async function sell(itemId: string, qty: number) {
    const sale = await api.post('/api/v1/sales', { location_id: store.id, register: 'T1', lines: [{ item_id: itemId, qty }], payments: [{ tender: 'cash', amount: '100.00' }] }, key());
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
  }
  async function onHand(itemId: string) {
    const body = (await api.get(`/api/v1/balances?item_id=${itemId}&location_id=${store.id}`)).body;
    return body.data.reduce((sum: number, b: any) => sum + b.on_hand, 0);
  }

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    store = (await api.post('/api/v1/locations', { kind: 'site', code: unique('ST'), name: 'Store', site_type: 'store' })).body;
    otherStore = (await api.post('/api/v1/locations', { kind: 'site', code: unique('OT'), name: 'Other store', site_type: 'store' })).body;
    manager = { bearer: (await makeToken(api, 'manager', [store.id])).secret };
    staff = { bearer: (await makeToken(api, 'staff', [store.id])).secret };
    elsewhere = { bearer: (await makeToken(api, 'staff', [otherStore.id])).secret };
  });

  describe('counting while the shop trades', () => {
    it('posts the worked example: 10 at 10:00, 2 sold at 10:02, 7 counted at 10:05, 1 sold at 10:07 → −1 at 10:05, 6 on hand', async () => {
      api.clock.advance(-60 * minute);
      const mug = await item();
      await stock(mug.id, 10); // 10:00
      api.clock.advance(2 * minute);
      await sell(mug.id, 2); // 10:02
      api.clock.advance(3 * minute);
      const count = await api.as(staff).post('/api/v1/counts', { site_id: store.id, kind: 'spot', scope: { item_ids: [mug.id] } });
      expect(count.status, JSON.stringify(count.body)).toBe(201);
      const line = count.body.lines[0];
      const entered = await api.as(staff).post(`/api/v1/counts/${count.body.id}/lines`, { lines: [{ location_id: line.location_id, item_id: mug.id, qty: 7 }] }); // 10:05
      expect(entered.status, JSON.stringify(entered.body)).toBe(200);
      const countedAt = entered.body.lines[0].counted_at;
      // Blind: the counter is never told what the ledger expects.
      expect(entered.body.lines[0]).not.toHaveProperty('expected_qty');
      api.clock.advance(2 * minute);
      await sell(mug.id, 1); // 10:07
      api.clock.advance(3 * minute);
      const submitted = await api.as(staff).post(`/api/v1/counts/${count.body.id}/submit`, {});
      expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
      expect(submitted.body.status).toBe('submitted');
      expect(submitted.body.lines[0]).not.toHaveProperty('expected_qty');
      const seen = await api.as(manager).get(`/api/v1/counts/${count.body.id}`);
      expect(seen.body.lines[0]).toMatchObject({ status: 'pending', expected_qty: 8, variance_qty: -1, needs_approval: true, variance_value: '-2.00' });
      const approved = await api.as(manager).post(`/api/v1/counts/${count.body.id}/approve`, {});
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      expect(approved.body.status).toBe('posted');
      expect(approved.body.lines[0]).toMatchObject({ status: 'posted', counted_qty: 7, expected_qty: 8, variance_qty: -1 });
      const moves = (await api.get(`/api/v1/movements?document_id=${count.body.id}`)).body.data;
      expect(moves).toHaveLength(1);
      expect(moves[0]).toMatchObject({ kind: 'count', reason: 'count_variance', qty: 1, to_location_id: 'loc_adjustment', effective_at: countedAt, value: '2.00' });
      expect(await onHand(mug.id)).toBe(6);
      api.clock.advance(50 * minute);
      expect((await checkLedger(get().db)).ok).toBe(true);
    });

    it('measures a line typed in late against the ledger at the instant it was counted, not when it was typed', async () => {
      api.clock.advance(-60 * minute);
      const start = Date.now() + api.clock.offsetMs;
      const cup = await item();
      await stock(cup.id, 10);
      const count = await api.post('/api/v1/counts', { site_id: store.id, kind: 'cycle', mode: 'guided', scope: { item_ids: [cup.id] } });
      api.clock.advance(2 * minute);
      await sell(cup.id, 2);
      api.clock.advance(5 * minute);
      await sell(cup.id, 1);
      api.clock.advance(3 * minute);
      const countedAt = new Date(start + 5 * minute).toISOString();
      const entered = await api.post(`/api/v1/counts/${count.body.id}/lines`, { lines: [{ location_id: store.default_bin_id, item_id: cup.id, qty: 7, counted_at: countedAt }] });
      expect(entered.body.lines[0]).toMatchObject({ expected_qty: 8, variance_qty: -1 });
      const posted = (await api.post(`/api/v1/counts/${count.body.id}/submit`, {})).body;
      const approved = posted.status === 'posted' ? posted : (await api.post(`/api/v1/counts/${count.body.id}/approve`, {})).body;
      expect(approved.status).toBe('posted');
      expect(approved.lines[0]).toMatchObject({ variance_qty: -1 });
      const moves = (await api.get(`/api/v1/movements?document_id=${count.body.id}`)).body.data;
      expect(moves[0].effective_at).toBe(countedAt);
      expect(await onHand(cup.id)).toBe(6);
      api.clock.advance(50 * minute);
    });

    it('counts cases in base units and approves a variance within the thresholds on submit', async () => {
      const tea = await item({ units: [{ name: 'case', factor: 12 }] });
      await stock(tea.id, 24);
      const count = (await api.post('/api/v1/counts', { site_id: store.id, kind: 'spot', mode: 'guided', scope: { item_ids: [tea.id] } })).body;
      expect(count.lines[0]).toMatchObject({ expected_qty: 24, counted_qty: null });
      const scanned = await api.post(`/api/v1/counts/${count.id}/scans`, { location_id: store.default_bin_id, code: tea.sku, unit: 'case', qty: 2 });
      expect(scanned.body).toMatchObject({ result: 'counted', line: { counted_qty: 24 } });
      const one = await api.post(`/api/v1/counts/${count.id}/scans`, { location_id: store.default_bin_id, code: tea.sku });
      expect(one.body.line.counted_qty).toBe(25);
      const submitted = (await api.post(`/api/v1/counts/${count.id}/submit`, {})).body;
      // +1 of 24 is 4%, worth 2.00: within 10% and 50.00, so it posts without a person.
      expect(submitted).toMatchObject({ status: 'posted', lines: [{ status: 'posted', variance_qty: 1, decision: 'approved' }] });
      expect(await onHand(tea.id)).toBe(25);
    });
  });

  describe('approval', () => {
    it('asks for a recount on reject, takes an edit with its reason, and refuses approving your own count when a second person is required', async () => {
      const pot = await item();
      const pan = await item();
      await stock(pot.id, 10);
      await stock(pan.id, 10);
      expect((await api.as(manager).patch(`/api/v1/count-settings/${store.id}`, { require_second_person: true, qty_pct_threshold: '5' })).body).toMatchObject({ require_second_person: true, qty_pct_threshold: '5' });
      const count = (await api.as(manager).post('/api/v1/counts', { site_id: store.id, scope: { item_ids: [pot.id, pan.id] } })).body;
      const [potLine, panLine] = [count.lines.find((l: any) => l.item_id === pot.id), count.lines.find((l: any) => l.item_id === pan.id)];
      await api.as(manager).post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: potLine.location_id, item_id: pot.id, qty: 4 }] });
      await api.as(staff).post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: panLine.location_id, item_id: pan.id, qty: 9 }] });
      expect((await api.as(staff).post(`/api/v1/counts/${count.id}/submit`, {})).body.summary).toMatchObject({ pending: 2 });
      expectProblem(await api.as(staff).post(`/api/v1/counts/${count.id}/approve`, {}), 403, 'forbidden');
      expectProblem(await api.as(manager).post(`/api/v1/counts/${count.id}/approve`, {}), 403, 'count_self_approval');
      expectProblem(await api.as(manager).post(`/api/v1/counts/${count.id}/approve`, { decisions: [{ line_id: panLine.id, action: 'edit', qty: 9.5 }] }), 422, 'count_decision_invalid');
      const decided = await api.as(manager).post(`/api/v1/counts/${count.id}/approve`, {
        decisions: [{ line_id: panLine.id, action: 'edit', qty: 10, reason: 'found one behind the shelf' }],
      });
      expect(decided.body.status).toBe('submitted');
      const byOwner = await api.post(`/api/v1/counts/${count.id}/approve`, { decisions: [{ line_id: potLine.id, action: 'reject', reason: 'recount the top shelf' }] });
      expect(byOwner.body.status).toBe('counting');
      const recount = byOwner.body.lines.find((l: any) => l.item_id === pot.id && l.status === 'open');
      expect(recount).toMatchObject({ round: 2, counted_qty: null });
      await api.as(staff).post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: potLine.location_id, item_id: pot.id, qty: 10 }] });
      const done = (await api.as(staff).post(`/api/v1/counts/${count.id}/submit`, {})).body;
      expect(done.status).toBe('posted');
      expect(done.lines.filter((l: any) => l.status === 'posted').map((l: any) => [l.item_id, l.variance_qty ?? null])).toHaveLength(2);
      expect(await onHand(pan.id)).toBe(10);
      expect(await onHand(pot.id)).toBe(10);
      const audit = (await api.get(`/api/v1/audit-events?target_id=${count.id}`)).body;
      expect(audit.data.length).toBeGreaterThanOrEqual(5);
      await api.as(manager).patch(`/api/v1/count-settings/${store.id}`, { require_second_person: false, qty_pct_threshold: '10' });
    });
  });

  describe('bad input', () => {
    it('answers each with its problem and writes nothing', async () => {
      const jug = await item();
      await stock(jug.id, 3);
      expectProblem(await api.as(elsewhere).post('/api/v1/counts', { site_id: store.id, scope: { item_ids: [jug.id] } }), 403, 'forbidden');
      const count = (await api.post('/api/v1/counts', { site_id: store.id, kind: 'spot', scope: { item_ids: [jug.id] } })).body;
      expectProblem(await api.as(elsewhere).get(`/api/v1/counts/${count.id}`), 404, 'count_not_found');
      expectProblem(await api.as(elsewhere).post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: store.default_bin_id, item_id: jug.id, qty: 1 }] }), 404, 'count_not_found');
      const negative = await api.post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: store.default_bin_id, item_id: jug.id, qty: -1 }] });
      expectProblem(negative, 400, 'validation_failed');
      expect(negative.body.errors[0].field).toBe('body.lines.0.qty');
      const future = new Date(Date.now() + api.clock.offsetMs + 60 * minute).toISOString();
      expectProblem(await api.post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: store.default_bin_id, item_id: jug.id, qty: 1, counted_at: future }] }), 422, 'count_line_in_future');
      expectProblem(await api.post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: otherStore.default_bin_id, item_id: jug.id, qty: 1 }] }), 422, 'count_line_invalid');
      expectProblem(await api.post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: store.default_bin_id, item_id: jug.id, qty: 1, unit: 'pallet' }] }), 422, 'count_line_invalid');
      expectProblem(await api.post(`/api/v1/counts/${count.id}/submit`, {}), 409, 'count_lines_uncounted');
      expectProblem(await api.post(`/api/v1/counts/${count.id}/approve`, {}), 409, 'count_not_open');
      const after = (await api.get(`/api/v1/counts/${count.id}`)).body;
      expect(after).toMatchObject({ status: 'counting', summary: { counted: 0 } });
      expectProblem(await api.post('/api/v1/counts', { site_id: store.id, kind: 'spot', scope: {} }), 422, 'count_scope_empty');
    });
  });

  describe('scanner, unknown barcodes and outputs', () => {
    it('holds an unknown barcode for a manager, who names it; prints a blind sheet without expected quantities', async () => {
      const bowl = await item({ barcodes: ['4006381333931'] });
      await stock(bowl.id, 2);
      const count = (await api.post('/api/v1/counts', { site_id: store.id, scope: { item_ids: [bowl.id] } })).body;
      const pdf = await api.as(staff).request('GET', `/api/v1/counts/${count.id}/pdf`);
      expect(pdf.status).toBe(200);
      expect(String(pdf.headers['content-type'])).toBe('application/pdf');
      const text = pdfText(Buffer.from(pdf.body as string, 'latin1'));
      expect(text).toContain(bowl.sku);
      expect(text).not.toContain('Expected');
      const held = await api.as(staff).post(`/api/v1/counts/${count.id}/scans`, { location_id: store.default_bin_id, code: 'NO-SUCH-CODE-1' });
      expect(held.body).toMatchObject({ result: 'held', line: null });
      await api.as(staff).post(`/api/v1/counts/${count.id}/scans`, { location_id: store.default_bin_id, code: '4006381333931' });
      const submitted = (await api.as(staff).post(`/api/v1/counts/${count.id}/submit`, {})).body;
      expect(submitted.status).toBe('submitted');
      // 1 of 2 is waiting for a person; approving it still leaves the count waiting on the held scan.
      expect((await api.as(manager).post(`/api/v1/counts/${count.id}/approve`, {})).body).toMatchObject({ status: 'submitted', summary: { approved: 1, held_scans: 1 } });
      expectProblem(await api.as(manager).post(`/api/v1/counts/${count.id}/approve`, {}), 409, 'count_nothing_to_approve');
      expectProblem(await api.as(staff).post(`/api/v1/counts/${count.id}/unknown-scans/${held.body.unknown_scan_id}/resolve`, { dismiss: true }), 403, 'forbidden');
      const resolved = (await api.as(manager).post(`/api/v1/counts/${count.id}/unknown-scans/${held.body.unknown_scan_id}/resolve`, { item_id: bowl.id })).body;
      // 1 scanned + 1 named = 2 = expected: nothing waits, so the count posts.
      expect(resolved.status, JSON.stringify(resolved)).toBe('posted');
      expect(await onHand(bowl.id)).toBe(2);
      const history = (await api.get(`/api/v1/items/${bowl.id}/count-history`)).body;
      expect(history.last_counted_at).not.toBeNull();
    });

    it('lists negatives as needing a count and counts them in one click; reports shrinkage', async () => {
      const plate = await item({ category: 'Plates' });
      await stock(plate.id, 1);
      await sell(plate.id, 3);
      const needs = (await api.as(staff).get(`/api/v1/counts/needs-count?site_id=${store.id}`)).body;
      expect(needs.negative.map((n: any) => n.item_id)).toContain(plate.id);
      const count = (await api.as(staff).post('/api/v1/counts', { site_id: store.id, scope: { negative_only: true } })).body;
      expect(count.lines.map((l: any) => l.item_id)).toContain(plate.id);
      for (const line of count.lines) await api.as(staff).post(`/api/v1/counts/${count.id}/lines`, { lines: [{ location_id: line.location_id, item_id: line.item_id, qty: 0 }] });
      await api.as(staff).post(`/api/v1/counts/${count.id}/submit`, {});
      const posted = (await api.as(manager).post(`/api/v1/counts/${count.id}/approve`, {})).body;
      expect(posted.status).toBe('posted');
      expect(await onHand(plate.id)).toBe(0);
      const today = new Date(Date.now() + api.clock.offsetMs).toISOString().slice(0, 10);
      const report = (await api.as(manager).get(`/api/v1/reports/shrinkage?site_id=${store.id}&from=${today}&to=${today}`)).body;
      expect(report.rows.find((r: any) => r.category === 'Plates')).toMatchObject({ found_qty: 2 });
      const variances = (await api.as(staff).get(`/api/v1/counts/${count.id}/variances`)).body;
      expect(variances.lines[0]).not.toHaveProperty('variance_value');
      expect((await api.as(manager).get(`/api/v1/counts/${count.id}/variances`)).body.lines[0]).toHaveProperty('variance_value');
      const plan = (await api.as(staff).get(`/api/v1/counts/cycle-plan?site_id=${store.id}`)).body;
      expect(plan.classes.A + plan.classes.B + plan.classes.C).toBeGreaterThan(0);
      expect(plan.items[0]).not.toHaveProperty('annual_cogs');
    });
  });
});
