import fc from 'fast-check';
import { expect, it } from 'vitest';
import { checkLedger, listBalances, postMovements, revalueItems } from '../src/modules/ledger/index.ts';
import { createLocation, VIRTUAL_LOCATION_IDS } from '../src/modules/locations/index.ts';
import {
  addLandedCosts,
  createPurchaseOrder,
  createReceipt,
  createVendor,
  postReceipt,
  sendPurchaseOrder,
  type PurchaseOrderRecord,
} from '../src/modules/purchasing/index.ts';
import { AppError } from '../src/platform/errors.ts';
import { describeEachDatabase, serviceContext } from './support/databases.ts';
import { makeItem } from './support/fixtures.ts';
import { propertyParameters } from './support/property.ts';

/**
 * Model-based, with receipts: random sequences of quick receipts (some back-dated, some with a
 * damaged unit sent straight to scrap), receipts against a purchase order, sales, transfers and
 * landed costs on earlier receipts run through the services beside a model of the balances.
 * After every step the ledger and costing invariants hold — among them that the value on hand
 * equals the sum of the open layers — and the balances equal the model's; at the end, valuing
 * as things came gives what replaying each item's history from scratch gives.
 */

type Op =
  | { kind: 'receive'; item: number; bin: number; qty: number; cost: number; backdateMs: number; scrapOne: boolean }
  | { kind: 'receiveOrder'; line: number; qty: number }
  | { kind: 'sell'; item: number; bin: number; qty: number }
  | { kind: 'transfer'; item: number; from: number; to: number; qty: number }
  | { kind: 'landed'; receipt: number; micros: number; method: 'value' | 'quantity' | 'weight' };

const ITEMS = 3;
const index = fc.nat(20);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('receive' as const),
      item: index,
      bin: index,
      qty: fc.integer({ min: 1, max: 8 }).map((n) => n * 1000),
      cost: fc.integer({ min: 0, max: 9_999_999 }),
      backdateMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60_000 })),
      scrapOne: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('receiveOrder' as const), line: index, qty: fc.integer({ min: 1, max: 5 }).map((n) => n * 1000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sell' as const), item: index, bin: index, qty: fc.integer({ min: 1, max: 6 }).map((n) => n * 500) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), item: index, from: index, to: index, qty: fc.integer({ min: 1, max: 4 }).map((n) => n * 500) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('landed' as const), receipt: index, micros: fc.integer({ min: 1, max: 5_000_000 }), method: fc.constantFrom('value' as const, 'quantity' as const, 'weight' as const) }) },
);

describeEachDatabase('purchasing model', (get, dialect) => {
  it('keeps balances, layers and values consistent through random receipts, sales and landed costs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 18 }), async (ops) => {
        const ctx = serviceContext(get().db);
        const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
        const site = await createLocation(ctx, { kind: 'site', code: `P${tag}`, name: 'Property site', site_type: 'warehouse' });
        const extra = await createLocation(ctx, { kind: 'bin', parent_id: site.id, code: 'B2', name: 'Bin 2' });
        const bins = [site.default_bin_id!, extra.id];
        const items = [
          (await makeItem(ctx, { unit_weight_g: 250 })).id,
          (await makeItem(ctx, { costing_method: 'average', units: [{ name: 'case', factor: 4000 }] })).id,
          (await makeItem(ctx)).id,
        ];
        const vendor = await createVendor(ctx, { name: `Property vendor ${tag}`, over_receipt_tolerance: 100_000_000 });
        const po: PurchaseOrderRecord = await sendPurchaseOrder(
          ctx,
          (await createPurchaseOrder(ctx, { vendor_id: vendor.id, delivery_site_id: site.id, lines: items.map((id) => ({ item_id: id, qty: 20_000, unit_price: 1_250_000 })) })).id,
        );
        const onHand = new Map<string, number>();
        const cell = (item: string, bin: string) => `${item}|${bin}`;
        const move = (item: string, bin: string, delta: number) => onHand.set(cell(item, bin), (onHand.get(cell(item, bin)) ?? 0) + delta);
        const receipts: string[] = [];
        /** Receipts whose lines all cost nothing. */
        const valueless = new Set<string>();
        const start = ctx.clock.now();

        for (const op of ops) {
          ctx.clock.advance(1000);
          const now = ctx.clock.now();
          let expectRefusal = false;
          let landedRefused = false;
          let attempt: () => Promise<unknown>;
          let apply: (result: unknown) => void = () => {};
          switch (op.kind) {
            case 'receive': {
              const item = items[op.item % ITEMS]!;
              const bin = bins[op.bin % bins.length]!;
              const at = now - Math.min(op.backdateMs, now - start);
              const lines = [{ item_id: item, qty: op.qty, unit_cost: op.cost, bin_id: bin }];
              if (op.scrapOne) lines.push({ item_id: item, qty: 1000, unit_cost: op.cost, bin_id: bin, condition: 'damaged', disposition: 'scrap' } as never);
              attempt = async () => postReceipt(ctx, (await createReceipt(ctx, { site_id: site.id, vendor_id: vendor.id, received_at: at, lines })).id);
              apply = (r) => {
                move(item, bin, op.qty);
                receipts.push((r as { id: string }).id);
                if (op.cost === 0) valueless.add((r as { id: string }).id);
              };
              break;
            }
            case 'receiveOrder': {
              const line = po.lines[op.line % po.lines.length]!;
              attempt = async () => postReceipt(ctx, (await createReceipt(ctx, { purchase_order_id: po.id, lines: [{ purchase_order_line_id: line.id, qty: op.qty }] })).id);
              apply = (r) => {
                move(line.item_id, site.default_bin_id!, op.qty);
                receipts.push((r as { id: string }).id);
              };
              break;
            }
            case 'sell': {
              const item = items[op.item % ITEMS]!;
              const bin = bins[op.bin % bins.length]!;
              expectRefusal = (onHand.get(cell(item, bin)) ?? 0) < op.qty;
              attempt = () => postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: 'sale', movements: [{ itemId: item, fromLocationId: bin, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: op.qty }] });
              apply = () => move(item, bin, -op.qty);
              break;
            }
            case 'transfer': {
              const item = items[op.item % ITEMS]!;
              const from = bins[op.from % bins.length]!;
              const to = bins[op.to % bins.length]!;
              if (from === to) continue;
              expectRefusal = (onHand.get(cell(item, from)) ?? 0) < op.qty;
              attempt = () => postMovements(ctx, { kind: 'transfer', documentType: 'test', documentId: 'tr', movements: [{ itemId: item, fromLocationId: from, toLocationId: to, qty: op.qty }] });
              apply = () => {
                move(item, from, -op.qty);
                move(item, to, op.qty);
              };
              break;
            }
            case 'landed': {
              const receipt = receipts[op.receipt % Math.max(1, receipts.length)];
              if (!receipt) continue;
              // A charge by value on a receipt that cost nothing has nothing to apportion by.
              landedRefused = op.method === 'value' && valueless.has(receipt);
              attempt = () => addLandedCosts(ctx, { receiptIds: [receipt], charges: [{ kind: 'freight', amount: op.micros, method: op.method }] });
              break;
            }
          }
          const outcome = await attempt().then(
            (result) => ({ ok: true as const, result }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          if (outcome.ok) {
            expect(expectRefusal || landedRefused, `${op.kind} should have been refused`).toBe(false);
            apply(outcome.result);
          } else {
            // A weight charge on items without weights, or a value charge on a receipt that cost nothing, has nothing to apportion by; anything else must be a shortage.
            const code = (outcome.error as AppError).code;
            const allowed = expectRefusal ? ['insufficient_stock'] : op.kind === 'landed' && (op.method === 'weight' || landedRefused) ? ['landed_cost_invalid'] : [];
            if (!(outcome.error instanceof AppError) || !allowed.includes(code)) throw outcome.error;
          }

          const report = await checkLedger(get().db);
          expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
          const actual = await listBalances(ctx, { locationId: site.id, groupBy: 'none', includeVirtual: false, limit: 500 });
          const expected = [...onHand.entries()].filter(([, q]) => q !== 0).map(([key, q]) => `${key}|${q}`).sort();
          expect(actual.lines.map((l) => `${l.itemId}|${l.locationId}|${l.onHand}`).sort()).toEqual(expected);
        }
        expect(await revalueItems(ctx, items)).toBe(0);
      }),
      propertyParameters(`purchasing model [${dialect}]`, 8),
    );
  });
});
