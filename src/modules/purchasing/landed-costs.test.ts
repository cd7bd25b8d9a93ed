import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { makeItem, makeShop } from '../../../test/support/fixtures.ts';
import { getItemCosts } from '../costing/index.ts';
import { checkLedger, listMovements, postMovements } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { apportion, baseUnitCost, divideRounded, toBaseQty } from './conversion.ts';
import { setExchangeRate } from './exchange-rates.service.ts';
import { addLandedCosts } from './landed-costs.service.ts';
import { postReceipt } from './receipt-posting.service.ts';
import { createReceipt, getReceipt } from './receipts.service.ts';

const u = (qty: number) => Math.round(qty * 1000);
const $ = (amount: number) => Math.round(amount * 1_000_000);

describe('purchasing arithmetic', () => {
  it('apportions exactly to the micro, the leftover micros to the largest remainders', () => {
    expect(apportion(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(apportion(24_000_000, [12, 30, 70])).toEqual([2_571_429, 6_428_571, 15_000_000]);
    expect(apportion(5, [0, 3, 0])).toEqual([0, 5, 0]);
    expect(() => apportion(5, [0, 0])).toThrow();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 30 }), (amount, weights) => {
        fc.pre(weights.some((w) => w > 0));
        const shares = apportion(amount, weights);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(amount);
        const total = weights.reduce((a, b) => a + b, 0);
        shares.forEach((s, i) => expect(Math.abs(s * total - amount * weights[i]!)).toBeLessThan(total + 1));
      }),
    );
  });

  it('rounds a base unit cost once, half away from zero', () => {
    // A case of 12 at 10.00 → 0.8333333… → 0.833333; at 1.0825 → 0.9020833… → 0.902083.
    expect(baseUnitCost($(10), u(12), 1_000_000_000)).toBe(833_333);
    expect(baseUnitCost($(10), u(12), 1_082_500_000)).toBe(902_083);
    // 1 at 0.0000005 a unit rounds up to 0.000001.
    expect(baseUnitCost(1, u(2), 1_000_000_000)).toBe(1);
    expect(divideRounded(-5n, 2n)).toBe(-3);
    expect(toBaseQty(u(0.333), u(2.5))).toBeNull();
    expect(toBaseQty(u(0.2), u(2.5))).toBe(u(0.5));
  });
});

describeEachDatabase('landed costs', (get) => {
  const setup = async () => {
    const ctx = serviceContext(get().db);
    const shop = await makeShop(ctx);
    const bin = shop.warehouse.default_bin_id!;
    const receive = async (lines: Array<{ item_id: string; qty: number; unit_cost: number }>) => postReceipt(ctx, (await createReceipt(ctx, { site_id: shop.warehouse.id, lines })).id);
    const healthy = async () => expect((await checkLedger(ctx.db)).invariants.filter((i) => !i.ok)).toEqual([]);
    return { ctx, shop, bin, receive, healthy };
  };

  it('raises a layer part of which was already sold, and re-costs the sale', async () => {
    const { ctx, bin, receive, healthy } = await setup();
    const item = await makeItem(ctx);
    const receipt = await receive([{ item_id: item.id, qty: u(10), unit_cost: $(2) }]);
    ctx.clock.advance(1000);
    await postMovements(ctx, { kind: 'sale', documentType: 'test', documentId: `sale-${receipt.id}`, movements: [{ itemId: item.id, fromLocationId: bin, toLocationId: VIRTUAL_LOCATION_IDS.customer, qty: u(4) }] });
    ctx.clock.advance(1000);
    // 5.00 of freight on 10 units: 0.50 a unit. The 4 sold now cost 4 × 2.50 = 10.00; 6 left worth 15.00.
    const [charge] = await addLandedCosts(ctx, { receiptIds: [receipt.id], charges: [{ kind: 'freight', amount: $(5), method: 'quantity' }] });
    expect(charge).toMatchObject({ number: expect.stringMatching(/^LC-\d{6}$/), amountBaseMicros: $(5), allocations: [{ micros: $(5) }] });
    const sale = await listMovements(ctx, { documentId: `sale-${receipt.id}`, limit: 5 });
    expect(sale.lines[0]!.value_micros).toBe($(10));
    const costs = await getItemCosts(ctx, item.id, 'fifo');
    expect([costs.qty, costs.value, costs.layers[0]!.valueIn]).toEqual([u(6), $(15), $(25)]);
    expect((await getReceipt(ctx, receipt.id)).landedCosts).toMatchObject([{ kind: 'freight', amountBaseMicros: $(5) }]);
    await healthy();
  });

  it('apportions by value, quantity and weight, over the receipts of a later vendor bill, in the charge’s currency', async () => {
    const { ctx, receive, healthy } = await setup();
    const heavy = await makeItem(ctx, { unit_weight_g: u(3000) });
    const light = await makeItem(ctx, { unit_weight_g: u(1000) });
    const first = await receive([{ item_id: heavy.id, qty: u(1), unit_cost: $(10) }]);
    const second = await receive([{ item_id: light.id, qty: u(2), unit_cost: $(40) }]);
    await setExchangeRate(ctx, { currency: 'GBP', rateE9: 1_250_000_000, effectiveOn: '2026-01-01' });
    // Values 10 and 80; quantities 1 and 2; weights 3 kg and 2 kg.
    const charges = await addLandedCosts(ctx, {
      receiptIds: [second.id, first.id],
      reference: 'BILL-7',
      charges: [
        { kind: 'duty', amount: $(9), method: 'value' },
        { kind: 'other', amount: $(3), method: 'quantity' },
        // GBP 8.00 at 1.25 = 10.00, by weight 3:2.
        { kind: 'freight', amount: $(8), currency: 'GBP', method: 'weight' },
      ],
    });
    const split = (i: number) => charges[i]!.allocations.map((a) => [a.itemId, a.micros]);
    expect(split(0)).toEqual([[heavy.id, $(1)], [light.id, $(8)]]);
    expect(split(1)).toEqual([[heavy.id, $(1)], [light.id, $(2)]]);
    expect(charges[2]).toMatchObject({ currency: 'GBP', amountMicros: $(8), exchangeRateE9: 1_250_000_000, amountBaseMicros: $(10), reference: 'BILL-7' });
    expect(split(2)).toEqual([[heavy.id, $(6)], [light.id, $(4)]]);
    expect((await getItemCosts(ctx, heavy.id, 'fifo')).value).toBe($(10 + 1 + 1 + 6));
    expect((await getItemCosts(ctx, light.id, 'fifo')).value).toBe($(80 + 8 + 2 + 4));
    await healthy();
  });

  it('refuses a charge on a draft receipt, one with nothing to apportion by, and one in a currency with no rate', async () => {
    const { ctx, shop, receive } = await setup();
    const item = await makeItem(ctx);
    const draft = await createReceipt(ctx, { site_id: shop.store.id, lines: [{ item_id: item.id, qty: u(1), unit_cost: $(1) }] });
    await expect(addLandedCosts(ctx, { receiptIds: [draft.id], charges: [{ kind: 'freight', amount: $(1), method: 'value' }] })).rejects.toMatchObject({ code: 'landed_cost_invalid' });
    const posted = await receive([{ item_id: item.id, qty: u(1), unit_cost: $(1) }]);
    await expect(addLandedCosts(ctx, { receiptIds: [posted.id], charges: [{ kind: 'freight', amount: $(1), method: 'weight' }] })).rejects.toMatchObject({
      code: 'landed_cost_invalid',
      errors: [{ field: 'body.charges.0.method', code: 'no_basis' }],
    });
    await expect(addLandedCosts(ctx, { receiptIds: [posted.id], charges: [{ kind: 'duty', amount: $(1), currency: 'JPY', method: 'value' }] })).rejects.toMatchObject({ code: 'exchange_rate_missing' });
    expect((await getItemCosts(ctx, item.id, 'fifo')).value).toBe($(1));
  });
});
