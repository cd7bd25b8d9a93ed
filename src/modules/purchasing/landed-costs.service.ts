import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type { LandedCostTable, ReceiptLineRow } from '../../platform/db/schema.ts';
import type { Trx } from '../../platform/db/transaction.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { findItems } from '../catalog/index.ts';
import { applyLandedCosts, listMovements, type MovementLine } from '../ledger/index.ts';
import { VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { readSettings } from '../settings/index.ts';
import { apportion, toBaseMoney } from './conversion.ts';
import { localDateOf } from './dates.ts';
import { resolveRate } from './exchange-rates.service.ts';
import { PurchasingError } from './purchasing.errors.ts';
import { lockReceipt } from './receipts.service.ts';

/**
 * Landed costs: freight, duty, insurance and other charges that belong in what stock cost. A
 * charge on one receipt, or on a later vendor bill covering several, is converted to base
 * currency (at its explicit rate, or the owner's rate of the day it is recorded) and apportioned
 * over the receipts' incoming movements by goods value, quantity or weight, exactly to the micro
 * by largest remainder. The ledger then raises those layers and re-costs whatever was already
 * drawn from them.
 */

export type LandedCostKind = LandedCostTable['kind'];
export type ApportionMethod = LandedCostTable['method'];

export interface ChargeInput {
  kind: LandedCostKind;
  amount: number;
  currency?: string;
  exchange_rate?: number;
  method: ApportionMethod;
  description?: string | null;
}

export interface LandedCostRecord {
  id: string;
  number: string;
  kind: LandedCostKind;
  method: ApportionMethod;
  reference: string | null;
  description: string | null;
  currency: string;
  amountMicros: number;
  exchangeRateE9: number;
  amountBaseMicros: number;
  allocations: Array<{ receiptId: string; receiptLineId: string; movementId: string; itemId: string; micros: number }>;
}

interface Target {
  movement: MovementLine;
  line: ReceiptLineRow;
  receiptId: string;
}

export const MAX_LANDED_RECEIPTS = 50;

export async function addLandedCosts(ctx: ServiceContext, input: { receiptIds: string[]; reference?: string | null; charges: ChargeInput[] }): Promise<LandedCostRecord[]> {
  return inTransaction(ctx, async (trx) => {
    const scoped = { ...ctx, trx };
    const receiptIds = [...new Set(input.receiptIds)].sort();
    const targets: Target[] = [];
    for (const id of receiptIds) {
      const receipt = await lockReceipt(ctx, trx, id);
      if (receipt.status !== 'posted') {
        throw new PurchasingError('landed_cost_invalid', `${receipt.number} is ${receipt.status.replace('_', ' ')}; landed costs go on posted receipts.`, { extra: { receipt_id: id } });
      }
      targets.push(...(await targetsOf(scoped, trx, id)));
    }
    if (targets.length === 0) throw new PurchasingError('landed_cost_invalid', 'The receipts brought nothing in to carry the charge.');
    const settings = await readSettings(trx);
    const now = ctx.clock.now();
    const items = await findItems(trx, targets.map((t) => t.movement.item_id));
    const records: LandedCostRecord[] = [];
    const perMovement = new Map<string, number>();
    for (const [i, charge] of input.charges.entries()) {
      const currency = charge.currency ?? settings.base_currency;
      const rate = await resolveRate(trx, {
        currency,
        baseCurrency: settings.base_currency,
        explicitE9: charge.exchange_rate ?? null,
        date: localDateOf(now, settings.time_zone),
        field: `body.charges.${i}.exchange_rate`,
      });
      const amountBase = toBaseMoney(charge.amount, rate.rateE9);
      const weights = targets.map((t) => basisOf(charge.method, t, items.get(t.movement.item_id)?.unit_weight_mg ?? null));
      if (weights.every((w) => w === 0n)) {
        throw new PurchasingError('landed_cost_invalid', `Nothing on the receipts has a ${charge.method === 'weight' ? 'weight' : charge.method} to apportion by.`, {
          errors: [{ field: `body.charges.${i}.method`, code: 'no_basis', message: charge.method === 'weight' ? 'the items have no unit weight' : 'nothing to apportion over' }],
        });
      }
      const shares = apportion(amountBase, weights);
      const id = newId('lc', now);
      const number = formatDocumentNumber('LC', await nextNumber(trx, 'landed_cost'));
      await trx
        .insertInto('landed_costs')
        .values({
          id,
          number,
          reference: input.reference ?? null,
          kind: charge.kind,
          description: charge.description ?? null,
          method: charge.method,
          currency,
          amount_micros: charge.amount,
          exchange_rate_e9: rate.rateE9,
          amount_base_micros: amountBase,
          actor_id: ctx.actor.id,
          created_at: now,
        })
        .execute();
      const allocations = targets
        .map((t, k) => ({ landed_cost_id: id, movement_id: t.movement.id, receipt_id: t.receiptId, receipt_line_id: t.line.id, item_id: t.movement.item_id, micros: shares[k]! }))
        .filter((a) => a.micros !== 0);
      for (let k = 0; k < allocations.length; k += 200) await trx.insertInto('landed_cost_allocations').values(allocations.slice(k, k + 200)).execute();
      for (const a of allocations) perMovement.set(a.movement_id, (perMovement.get(a.movement_id) ?? 0) + a.micros);
      records.push({
        id,
        number,
        kind: charge.kind,
        method: charge.method,
        reference: input.reference ?? null,
        description: charge.description ?? null,
        currency,
        amountMicros: charge.amount,
        exchangeRateE9: rate.rateE9,
        amountBaseMicros: amountBase,
        allocations: allocations.map((a) => ({ receiptId: a.receipt_id, receiptLineId: a.receipt_line_id, movementId: a.movement_id, itemId: a.item_id, micros: a.micros })),
      });
    }
    await applyLandedCosts(scoped, [...perMovement.entries()].map(([movementId, micros]) => ({ movementId, micros })));
    return records;
  });
}

/** The receipt's movements from the vendor into stock, each with its receipt line. */
async function targetsOf(ctx: ServiceContext, trx: Trx, receiptId: string): Promise<Target[]> {
  const lines = new Map((await trx.selectFrom('receipt_lines').selectAll().where('receipt_id', '=', receiptId).execute()).map((l) => [l.id, l]));
  const out: Target[] = [];
  let cursor: string | undefined;
  do {
    const page = await listMovements(ctx, { documentId: receiptId, documentType: 'receipt', kind: 'receipt', limit: 500, cursor });
    for (const movement of page.lines) {
      const line = movement.document_line_id ? lines.get(movement.document_line_id) : undefined;
      if (line && movement.from_location_id === VIRTUAL_LOCATION_IDS.vendor) out.push({ movement, line, receiptId });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  // Oldest first and by id, so ties in the largest-remainder split always fall the same way.
  return out.sort((a, b) => (a.line.line_no - b.line.line_no) || (a.movement.id < b.movement.id ? -1 : 1));
}

function basisOf(method: ApportionMethod, target: Target, unitWeightMg: number | null): bigint {
  const qty = target.movement.qty;
  if (method === 'quantity') return BigInt(qty);
  // Milligrams × 1000: the weight of `qty` thousandths of a unit, kept whole.
  if (method === 'weight') return unitWeightMg === null ? 0n : BigInt(qty) * BigInt(unitWeightMg);
  return BigInt(mulDiv(qty, target.line.base_unit_cost_micros ?? 0, QTY_SCALE));
}
