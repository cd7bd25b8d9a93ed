import { beforeAll, expect, it } from 'vitest';
import { checkLedger } from '../../src/modules/ledger/index.ts';
import { checkProduction } from '../../src/modules/production/index.ts';
import { makeToken } from '../support/access.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type ApiResponse, type TestApi } from '../support/http.ts';

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-5)}${(counter += 1)}`.toUpperCase();

function ok(response: ApiResponse, status = 200) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

function expectProblem(response: ApiResponse, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toMatchObject({ status, code });
}

/**
 * The bakery's two-level bake, worked by hand:
 *
 *   Dough (batch 10 kg): flour 6 kg @ 1.20, butter 4000 g @ 5.00/kg, labour 3.00 per batch.
 *   Bake 10 kg of dough, actually using 5.8 kg of flour (less than planned) and all the butter,
 *   getting 9.9 kg: 6.96 + 20.00 + 3.00 = 29.96 for 9.9 kg.
 *
 *   Loaf (batch 20, yield 95%): dough 10 kg, labour 0.10 per loaf, overhead 2.00 per batch,
 *   shelf life 1 day. Plan 20 loaves; the 9.9 kg of dough is all used, 2 loaves burn, 18 are
 *   good: 29.96 + 18 × 0.10 + 2.00 = 33.76, 1.875556 a loaf (33.76 / 18 = 1.87555…).
 *
 *   Nine loaves sold cost half the batch: 16.88. Then a freight bill of 2.50 on the 25 kg of
 *   flour arrives: flour 1.30/kg, the 5.8 kg used cost 7.54, the dough 30.54, the loaves 34.34,
 *   and the nine sold 17.17.
 */
describeEachDatabase('production over HTTP', (get) => {
  let api: TestApi;
  let site: any;
  let flour: any;
  let butter: any;
  let dough: any;
  let loaf: any;
  let flourReceipt: any;

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    site = ok(await api.post('/api/v1/locations', { kind: 'site', code: unique('BK'), name: 'Bakery', site_type: 'store', negative_stock: 'strict' }), 201);
    flour = ok(await api.post('/api/v1/items', { sku: unique('FLR'), name: 'Flour', base_unit: 'kg', barcodes: [] }), 201);
    butter = ok(await api.post('/api/v1/items', { sku: unique('BTR'), name: 'Butter', base_unit: 'kg', units: [{ name: 'g', factor: 0.001 }], barcodes: [] }), 201);
    dough = ok(await api.post('/api/v1/items', { sku: unique('DGH'), name: 'Dough', base_unit: 'kg', barcodes: [] }), 201);
    loaf = ok(await api.post('/api/v1/items', { sku: unique('LOF'), name: 'Loaf', price: '4.00', tracking: 'lot', tracks_expiry: true, barcodes: [] }), 201);
    flourReceipt = ok(await api.post('/api/v1/receipts', { site_id: site.id, post: true, lines: [{ item_id: flour.id, qty: 25, unit_cost: '1.20' }] }), 201);
    ok(await api.post('/api/v1/adjustments', { location_id: site.id, reason: 'opening_balance', lines: [{ item_id: butter.id, qty: 10, unit_cost: '5.00' }] }), 201);
  });

  it('bakes dough then loaves with yield loss, costs each level from what was actually used, and re-costs the loaves sold when the flour’s cost changes', async () => {
    const doughBom = ok(
      await api.post(`/api/v1/items/${dough.id}/boms`, {
        batch_qty: 10,
        labour: '3.00',
        lines: [
          { item_id: flour.id, qty: 6 },
          { item_id: butter.id, qty: 4000, unit: 'g' },
        ],
      }),
      201,
    );
    expect(doughBom).toMatchObject({ version: 1, status: 'active', labour: '3.00', labour_basis: 'batch' });
    expect(doughBom.lines[1]).toMatchObject({ qty: 4, unit: 'g', unit_qty: 4000 });
    const loafBom = ok(
      await api.post(`/api/v1/items/${loaf.id}/boms`, {
        batch_qty: 20,
        yield: '95',
        labour: '0.10',
        labour_basis: 'unit',
        overhead: '2.00',
        shelf_life_days: 1,
        lines: [{ item_id: dough.id, qty: 10 }],
      }),
      201,
    );
    expect(loafBom.version).toBe(1);

    // The tree rolls the standard cost up: dough (6 × 1.20 + 4 × 5.00 + 3.00) / 10 = 3.02 a kg;
    // a loaf (10 × 3.02 + 19 × 0.10 + 2.00) / 19 expected good = 34.10 / 19 = 1.794737.
    const tree = ok(await api.get(`/api/v1/items/${loaf.id}/bom-tree`));
    expect(tree.unit_cost).toBe('1.794737');
    expect(tree.nodes.map((n: any) => [n.depth, n.sku, n.qty, n.sub_assembly, n.unit_cost, n.cost])).toEqual([
      [1, dough.sku, 10, true, '3.02', '30.20'],
      [2, flour.sku, 6, false, '1.20', '7.20'],
      [2, butter.sku, 4, false, '5.00', '20.00'],
    ]);

    // Level 1: the dough.
    const doughOrder = ok(await api.post('/api/v1/production-orders', { item_id: dough.id, site_id: site.id, qty: 10, start: true }), 201);
    expect(doughOrder).toMatchObject({ status: 'started', bom_version: 1, qty_planned: 10, qty_expected: 10 });
    expect(doughOrder.lines.map((l: any) => [l.sku, l.qty_planned, l.qty_reserved])).toEqual([
      [flour.sku, 6, 6],
      [butter.sku, 4, 4],
    ]);
    const doughDone = ok(await api.post(`/api/v1/production-orders/${doughOrder.id}/complete`, { qty_produced: 9.9, lines: [{ item_id: flour.id, qty_consumed: 5.8 }] }));
    expect(doughDone).toMatchObject({ status: 'completed', qty_produced: 9.9, yield_variance: -0.1, value_consumed: '26.96', value_produced: '29.96', unit_cost: '3.026263' });
    expect(doughDone.lines.map((l: any) => [l.sku, l.qty_consumed, l.qty_variance, l.qty_reserved, l.value_consumed])).toEqual([
      [flour.sku, 5.8, -0.2, 0, '6.96'],
      [butter.sku, 4, 0, 0, '20.00'],
    ]);
    expect(doughDone.postings[0]).toMatchObject({ labour: '3.00', overhead: '0.00', value_produced: '29.96' });

    // Level 2: the loaves. A strict site cannot promise 10 kg of dough it does not have.
    const loafOrder = ok(await api.post('/api/v1/production-orders', { item_id: loaf.id, site_id: site.id, qty: 20, planned_for: '2026-12-04' }), 201);
    expectProblem(await api.post(`/api/v1/production-orders/${loafOrder.id}/start`, {}), 409, 'insufficient_stock');
    expect(ok(await api.get(`/api/v1/production-orders/${loafOrder.id}`)).status).toBe('planned');
    const baked = ok(await api.post(`/api/v1/production-orders/${loafOrder.id}/complete`, { qty_produced: 18, qty_scrapped: 2, lines: [{ item_id: dough.id, qty_consumed: 9.9 }] }));
    expect(baked).toMatchObject({ status: 'completed', qty_expected: 19, qty_produced: 18, qty_scrapped: 2, yield_variance: -1, value_consumed: '29.96', value_produced: '33.76', unit_cost: '1.875556' });
    const posting = baked.postings[0];
    expect(posting).toMatchObject({ lot_code: loafOrder.number, labour: '1.80', overhead: '2.00' });
    const madeOn = posting.effective_at.slice(0, 10);
    expect(posting.expires_on).toBe(new Date(Date.parse(madeOn) + 86_400_000).toISOString().slice(0, 10));
    const balances = ok(await api.get(`/api/v1/balances?item_id=${loaf.id}&location_id=${site.id}`));
    expect(balances.data.map((b: any) => b.on_hand)).toEqual([18]);

    // Nine loaves sold: half the batch.
    const sale = ok(
      await api.post('/api/v1/sales', { location_id: site.id, register: 'T1', lines: [{ item_id: loaf.id, qty: 9 }], payments: [{ tender: 'cash', amount: '36.00' }] }, { 'idempotency-key': unique('k') }),
      201,
    );
    expect(sale.cost_of_goods).toBe('16.88');

    // The flour's freight bill arrives after the bake and the sale.
    ok(await api.post(`/api/v1/receipts/${flourReceipt.id}/landed-costs`, { charges: [{ kind: 'freight', amount: '2.50' }] }), 201);
    expect(ok(await api.get(`/api/v1/production-orders/${doughOrder.id}`))).toMatchObject({ value_consumed: '27.54', value_produced: '30.54' });
    expect(ok(await api.get(`/api/v1/production-orders/${loafOrder.id}`))).toMatchObject({ value_consumed: '30.54', value_produced: '34.34', unit_cost: '1.907778' });
    expect(ok(await api.get(`/api/v1/sales/${sale.id}`)).cost_of_goods).toBe('17.17');

    ok(await api.post(`/api/v1/production-orders/${loafOrder.id}/close`, {}));
    const report = await checkLedger(get().db);
    expect([...report.invariants, ...(await checkProduction(get().db))].filter((i) => !i.ok)).toEqual([]);
  });

  it('keeps the old version when the recipe changes, completes in part, and hides costs from staff', async () => {
    const v1 = ok(await api.post(`/api/v1/items/${dough.id}/boms`, { batch_qty: 10, lines: [{ item_id: flour.id, qty: 6 }, { item_id: butter.id, qty: 3 }] }), 201);
    const versions = ok(await api.get(`/api/v1/items/${dough.id}/boms`)).data;
    expect(versions.map((v: any) => [v.version, v.status])).toEqual([
      [v1.version, 'active'],
      [v1.version - 1, 'superseded'],
    ]);
    const order = ok(await api.post('/api/v1/production-orders', { item_id: dough.id, site_id: site.id, qty: 5, start: true }), 201);
    expect(order.lines.map((l: any) => l.qty_planned)).toEqual([3, 1.5]);
    const partial = ok(await api.post(`/api/v1/production-orders/${order.id}/complete`, { qty_produced: 2, final: false }));
    // The plan's share for 2 of 5: flour 1.2, butter 0.6; the rest stays reserved.
    expect(partial.status).toBe('started');
    expect(partial.lines.map((l: any) => [l.qty_consumed, l.qty_reserved])).toEqual([
      [1.2, 1.8],
      [0.6, 0.9],
    ]);
    const staff = await makeToken(api, 'staff', [site.id]);
    const seen = ok(await api.as({ bearer: staff.secret }).get(`/api/v1/production-orders/${order.id}`));
    expect(seen.lines).toHaveLength(2);
    expect(JSON.stringify(seen)).not.toMatch(/value_|unit_cost|labour"|overhead"/);
    const closed = ok(await api.post(`/api/v1/production-orders/${order.id}/close`, {}));
    expect(closed.status).toBe('closed');
    expect(closed.lines.map((l: any) => l.qty_reserved)).toEqual([0, 0]);
    expectProblem(await api.post(`/api/v1/production-orders/${order.id}/complete`, { qty_produced: 1 }), 409, 'production_order_state');
    expect((await checkProduction(get().db)).filter((i) => !i.ok)).toEqual([]);
  });

  it('breaks kits into components with the cost shared by declared shares, and plans the day from the minimum', async () => {
    const kit = ok(await api.post('/api/v1/items', { sku: unique('KIT'), name: 'Baking kit', barcodes: [] }), 201);
    ok(await api.post('/api/v1/adjustments', { location_id: site.id, reason: 'opening_balance', lines: [{ item_id: kit.id, qty: 2, unit_cost: '10.00' }] }), 201);
    const broken = ok(
      await api.post('/api/v1/disassemblies', {
        item_id: kit.id,
        site_id: site.id,
        qty: 2,
        rule: 'declared',
        lines: [
          { item_id: flour.id, qty: 1, share: '30' },
          { item_id: butter.id, qty: 500, unit: 'g', share: '70' },
        ],
      }),
      201,
    );
    // 20.00 of kits: 6.00 to the 2 kg of flour, 14.00 to the 1 kg of butter.
    expect(broken).toMatchObject({ qty: 2, rule: 'declared', value: '20.00' });
    expect(broken.lines.map((l: any) => [l.qty, l.value])).toEqual([
      [2, '6.00'],
      [1, '14.00'],
    ]);

    const bun = ok(await api.post('/api/v1/items', { sku: unique('BUN'), name: 'Bun', reorder_point: 5, barcodes: [] }), 201);
    ok(await api.post(`/api/v1/items/${bun.id}/boms`, { batch_qty: 12, lines: [{ item_id: dough.id, qty: 1 }] }), 201);
    const plan = ok(await api.get(`/api/v1/production/plan?site_id=${site.id}&date=2026-12-05`));
    // Nothing on hand, minimum 5: make up to 5 + one batch (12) = 17 → 2 batches of 12.
    expect(plan.lines.filter((l: any) => l.item_id === bun.id).map((l: any) => [l.on_hand, l.min, l.max, l.qty])).toEqual([[0, 5, 17, 24]]);
    const made = ok(await api.post('/api/v1/production/plan', { site_id: site.id, date: '2026-12-05', lines: [{ item_id: bun.id, qty: 24 }] }), 201);
    expect(made.data.map((o: any) => [o.item.id, o.qty_planned, o.planned_for, o.status])).toEqual([[bun.id, 24, '2026-12-05', 'planned']]);
    const replanned = ok(await api.get(`/api/v1/production/plan?site_id=${site.id}&date=2026-12-05`));
    expect(replanned.lines.filter((l: any) => l.item_id === bun.id)).toEqual([]);
  });
});
