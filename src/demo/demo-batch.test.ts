import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createTestDatabase, describeEachDatabase, serviceContext } from '../../test/support/databases.ts';
import type { Database } from '../platform/db/database.ts';
import { checkLedger } from '../modules/ledger/index.ts';
import '../modules/sales/index.ts';
import '../modules/fulfillment/index.ts';
import { loadDemoShop } from './demo-shop.ts';

const DAYS = 6;
/** Two short shops per database; beside other suites, many times their minute. */
const TIMEOUT_MS = 900_000;

/**
 * Everything the ledger and costing decide, with ids replaced by what they name (ids are random
 * per run): every movement with its cost, every balance, cost layer and consumption, every
 * item's cost state and every sale's totals. Rows are sorted by their whole content.
 */
async function ledgerSnapshot(db: Database) {
  const rows = async <R>(query: ReturnType<typeof sql<R>>) => (await query.execute(db.kysely)).rows.map((r) => JSON.stringify(Object.values(r as object).map((v) => (typeof v === 'bigint' || typeof v === 'string' ? String(v) : v))));
  const sorted = (list: string[]) => [...list].sort();
  return {
    movements: sorted(
      await rows(sql`
        select m.kind, m.reason, m.effective_at, m.recorded_at, i.sku, coalesce(lt.code, '') as lot, f.full_code as from_code, t.full_code as to_code, m.qty,
          m.unit_cost_micros, m.value_micros, m.document_type, coalesce(s.number, '') as sale_number
        from movements m join items i on i.id = m.item_id left join lots lt on lt.id = m.lot_id
        join locations f on f.id = m.from_location_id join locations t on t.id = m.to_location_id
        left join sales s on s.id = m.document_id`),
    ),
    transactions: sorted(await rows(sql`select kind, document_type, effective_at, recorded_at from ledger_transactions`)),
    balances: sorted(
      await rows(sql`
        select i.sku, l.full_code, coalesce(lt.code, '') as lot, b.on_hand, b.reserved
        from balances b join items i on i.id = b.item_id join locations l on l.id = b.location_id left join lots lt on lt.id = b.lot_id`),
    ),
    layers: sorted(
      await rows(sql`
        select i.sku, coalesce(lt.code, '') as lot, c.effective_at, m.kind, c.qty_in, c.value_in_micros, c.qty_remaining, c.value_remaining_micros
        from cost_layers c join items i on i.id = c.item_id left join lots lt on lt.id = c.lot_id join movements m on m.id = c.movement_id`),
    ),
    consumptions: sorted(
      await rows(sql`
        select i.sku, m.kind, m.effective_at, coalesce(lm.effective_at, -1) as layer_at, coalesce(lm.kind, '') as layer_kind, c.qty, c.value_micros
        from cost_consumptions c join items i on i.id = c.item_id join movements m on m.id = c.movement_id left join movements lm on lm.id = c.layer_id`),
    ),
    itemCosts: sorted(
      await rows(sql`
        select i.sku, c.pool_qty, c.pool_value_micros, c.last_unit_cost_micros, c.last_effective_at
        from item_costs c join items i on i.id = c.item_id`),
    ),
    sales: sorted(
      await rows(sql`
        select s.number, s.created_at, s.subtotal_micros, s.discount_micros, s.tax_micros, s.total_micros, s.paid_micros, s.change_micros,
          (select count(*) from sale_lines l where l.sale_id = s.id) as line_count
        from sales s`),
    ),
    // The events that run inside a batch (web orders, deliveries, purchase orders) and those that
    // flush it (adjustments, which record the cost their movements were valued at).
    orderLines: sorted(
      await rows(sql`
        select o.channel_order_id, o.status, o.total_micros, o.created_at, l.line_no, i.sku, l.qty, l.qty_packed, l.qty_shipped, l.qty_delivered, l.allocation
        from orders o join order_lines l on l.order_id = o.id join items i on i.id = l.item_id`),
    ),
    reservations: sorted(
      await rows(sql`
        select i.sku, l.full_code, coalesce(lt.code, '') as lot, r.qty, r.document_type, r.created_at
        from reservations r join items i on i.id = r.item_id join locations l on l.id = r.location_id left join lots lt on lt.id = r.lot_id`),
    ),
    purchaseOrderLines: sorted(
      await rows(sql`
        select p.number, p.status, p.sent_at, i.sku, l.qty, l.unit_price_micros
        from purchase_orders p join purchase_order_lines l on l.po_id = p.id join items i on i.id = l.item_id`),
    ),
    adjustmentLines: sorted(
      await rows(sql`
        select a.reason, a.effective_at, i.sku, l.qty_delta, l.unit_cost_micros
        from adjustments a join adjustment_lines l on l.adjustment_id = a.id join items i on i.id = l.item_id`),
    ),
  };
}

describeEachDatabase('the demo shop posted in batches', (get, dialect) => {
  it(`gives the same ledger, costs and sales as posting each sale on its own (${DAYS} days)`, { timeout: TIMEOUT_MS }, async () => {
    const other = await createTestDatabase(dialect);
    try {
      const oneByOne = serviceContext(other.db);
      const batched = serviceContext(get().db);
      const single = await loadDemoShop(oneByOne, { days: DAYS, seed: 11, batchPosting: false });
      const batch = await loadDemoShop(batched, { days: DAYS, seed: 11, batchPosting: true });
      expect(batch).toEqual(single);
      expect(single.sales).toBeGreaterThan(DAYS * 40);

      const expected = await ledgerSnapshot(other.db);
      const actual = await ledgerSnapshot(get().db);
      // Not vacuous: sales were valued, from layers, and some drew milk lots.
      expect(expected.movements.filter((m) => m.startsWith('["sale"')).length).toBeGreaterThan(single.sales);
      expect(expected.consumptions.length).toBeGreaterThan(single.sales);
      expect(expected.movements.some((m) => m.startsWith('["sale"') && !m.includes(',"",'))).toBe(true);
      expect(expected.orderLines.length).toBeGreaterThan(DAYS);
      expect(expected.purchaseOrderLines.length).toBeGreaterThan(DAYS);
      expect(expected.adjustmentLines.length).toBeGreaterThan(DAYS);
      for (const key of Object.keys(expected) as Array<keyof typeof expected>) expect(actual[key], key).toEqual(expected[key]);

      const report = await checkLedger(get().db, batched.clock.now());
      expect(report.invariants.filter((i) => i.violations.length > 0)).toEqual([]);
    } finally {
      await other.destroy();
    }
  });
});
