import { beforeAll, expect, it } from 'vitest';
import { systemActor } from '../../src/platform/context.ts';
import { salesTotalsBy } from '../../src/modules/reports/sales-facts.ts';
import { fillSaleLineCosts } from '../../src/modules/reports/sale-line-costs.ts';
import type { ReportScope } from '../../src/modules/reports/report-scope.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { buildTestApi, type TestApi } from '../support/http.ts';

const DAY = 86_400_000;
const M = 1_000_000;

/**
 * The cost of goods kept on each sale line is the sum of its sale movements' values, and the
 * reports read the same figure before the job has filled it, after, and after re-costing has
 * rewritten those movements (a landed cost, a back-dated receipt drawn first in, first out), when
 * it is unknown again until the job runs. Voids and returns leave the line's own cost as it was:
 * what came back is taken off by the reports from the return's movements.
 */
describeEachDatabase('sale line costs kept for the reports', (get) => {
  let api: TestApi;
  const tag = `SLC${Date.now().toString(36)}`;
  let site: any;
  let item: any;
  let vendor: any;
  let start: number;
  const ctx = () => ({ db: api.db, clock: api.clock, actor: systemActor });

  beforeAll(async () => {
    api = await buildTestApi(get().db);
    site = (await api.post('/api/v1/locations', { kind: 'site', code: tag, name: 'Cost shop', site_type: 'store' })).body;
    item = (await api.post('/api/v1/items', { sku: `${tag}-MUG`, name: 'Mug' })).body;
    vendor = (await api.post('/api/v1/vendors', { name: `Vendor ${tag}` })).body;
    start = api.clock.now();
  });

  const receive = async (qty: number, price: string, receivedAt?: number) => {
    const po = await api.post('/api/v1/purchase-orders', { vendor_id: vendor.id, delivery_site_id: site.id, lines: [{ item_id: item.id, qty, unit_price: price }] });
    expect(po.status, JSON.stringify(po.body)).toBe(201);
    expect((await api.post(`/api/v1/purchase-orders/${po.body.id}/send`)).status).toBe(200);
    const receipt = await api.post('/api/v1/receipts', { purchase_order_id: po.body.id, ...(receivedAt ? { received_at: new Date(receivedAt).toISOString() } : {}), lines: [{ purchase_order_line_id: po.body.lines[0].id, qty }] });
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);
    expect((await api.post(`/api/v1/receipts/${receipt.body.id}/post`)).status).toBe(200);
    return receipt.body;
  };
  const sell = async (qty: number, key: string) => {
    const sale = await api.post('/api/v1/sales', { location_id: site.id, register: 'R1', lines: [{ item_id: item.id, qty, unit_price: '5.00' }], payments: [{ tender: 'cash', amount: `${5 * qty}.00` }] }, { 'idempotency-key': `${tag}-${key}` });
    expect(sale.status, JSON.stringify(sale.body)).toBe(201);
    return sale.body;
  };
  const kept = async (lineId: string) => (await api.db.kysely.selectFrom('sale_lines').select('cost_micros').where('id', '=', lineId).executeTakeFirstOrThrow()).cost_micros;
  const reported = async () => {
    const scope: ReportScope = { filters: { from: '2000-01-01', to: '2100-01-01', itemId: item.id }, timeZone: 'UTC', start, end: api.clock.now() + 1, sites: [site.id], now: api.clock.now() };
    return (await salesTotalsBy(ctx(), scope, 'item')).get(item.id)?.cogs;
  };

  it('holds the movements’ cost through filling, a landed cost, a back-dated receipt, a void and a return', async () => {
    api.clock.advance(DAY);
    const receipt = await receive(10, '2.00');
    api.clock.advance(DAY);
    const sale = await sell(3, 'a');
    const line = sale.lines[0].id;
    // Just sold: unknown on the line, read from the movements (3 × 2.00).
    expect(await kept(line)).toBeNull();
    expect(await reported()).toBe(6 * M);
    expect(await fillSaleLineCosts(ctx())).toBeGreaterThanOrEqual(1);
    expect(Number(await kept(line))).toBe(6 * M);
    expect(await reported()).toBe(6 * M);

    // Freight of 10.00 over the ten mugs: 1.00 more each, the sold three included.
    const landed = await api.post(`/api/v1/receipts/${receipt.id}/landed-costs`, { charges: [{ kind: 'freight', amount: '10.00' }] });
    expect(landed.status, JSON.stringify(landed.body)).toBe(201);
    expect(await kept(line)).toBeNull();
    expect(await reported()).toBe(9 * M);
    await fillSaleLineCosts(ctx());
    expect(Number(await kept(line))).toBe(9 * M);

    // Five mugs at 1.00 received the day before the first receipt, entered now: first in, so the sale drew them.
    await receive(5, '1.00', start + DAY / 2);
    expect(await kept(line)).toBeNull();
    expect(await reported()).toBe(3 * M);
    await fillSaleLineCosts(ctx());
    expect(Number(await kept(line))).toBe(3 * M);

    // A second sale of 4: the last 2 at 1.00 and 2 at 3.00, then voided: it counts nowhere, and the first line stands.
    const voided = await sell(4, 'b');
    expect((await api.post(`/api/v1/sales/${voided.id}/void`, { reason: 'rung up twice' })).status).toBe(201);
    await fillSaleLineCosts(ctx());
    expect(Number(await kept(voided.lines[0].id))).toBe(8 * M);
    expect(await reported()).toBe(3 * M);
    // One mug of the first sale back: its line keeps what left, the report takes off what came back (1.00).
    const back = await api.post('/api/v1/returns', { sale_id: sale.id, reason: 'changed mind', lines: [{ line_id: line, qty: 1, condition: 'restockable' }] }, { 'idempotency-key': `${tag}-r` });
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    expect(Number(await kept(line))).toBe(3 * M);
    expect(await reported()).toBe(2 * M);
  });
});
