import { canSeeSite, inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type { DisassemblyRow, ItemRow } from '../../platform/db/schema.ts';
import { mulDiv } from '../../platform/decimal.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import { componentsOf, findItem, findItems } from '../catalog/index.ts';
import { currentUnitCosts } from '../costing/index.ts';
import {
  findLots,
  findOrCreateLot,
  inboundCostOf,
  insufficientStock,
  listPickableStock,
  NO_LOT,
  postMovements,
  recordCostDerivation,
  splitByWeight,
  type MovementInput,
} from '../ledger/index.ts';
import { findLocation, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { findActiveBom } from './boms.service.ts';
import { ProductionError } from './production.errors.ts';
import { toBaseQuantity, type DisassembleInput } from './production.schema.ts';

/**
 * Disassembly, production in reverse: kits (made here or bought) leave stock into the production
 * location and their components come back out of it. The kits' cost is shared over the
 * components by a rule, by each component's current cost × quantity (`standard`) or by
 * declared shares (`declared`), exactly to the micro, and recorded as a derived cost so a later
 * re-costing of the kit flows on to the components.
 */

export const DISASSEMBLY_DOCUMENT = 'disassembly';

export interface DisassemblyLine {
  item_id: string;
  sku: string;
  qty: number;
  weight: number;
}

export interface DisassemblyRecord {
  disassembly: DisassemblyRow;
  lotCode: string | null;
  lines: Array<DisassemblyLine & { valueMicros: number }>;
  valueMicros: number;
}

export async function disassemble(ctx: ServiceContext, input: DisassembleInput): Promise<DisassemblyRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const site = await findLocation(trx, input.site_id);
    if (!site || site.kind !== 'site' || !canSeeSite(ctx.actor, site.id)) {
      throw new ProductionError('disassembly_invalid', `${input.site_id} is not a site you may work at.`, { errors: [{ field: 'body.site_id', code: 'not_found', message: 'no such site' }] });
    }
    const bin = await findLocation(trx, input.bin_id ?? site.default_bin_id ?? '');
    if (!bin || bin.kind !== 'bin' || bin.site_id !== site.id || bin.status !== 'active') {
      throw new ProductionError('disassembly_invalid', `Components go to an active bin of ${site.code}.`, { errors: [{ field: 'body.bin_id', code: 'not_found', message: 'not an active bin of the site' }] });
    }
    const kit = await findItem(trx, input.item_id);
    if (!kit || kit.stocked !== 1) throw new ProductionError('disassembly_invalid', `${input.item_id} is not a stocked item.`, { errors: [{ field: 'body.item_id', code: 'not_stockable', message: 'not a stocked item' }] });
    const lines = await linesOf(trx, kit, input);
    const now = ctx.clock.now();
    const effectiveAt = input.effective_at ?? now;
    const id = newId('dis', now);
    const number = formatDocumentNumber('DIS', await nextNumber(trx, 'disassembly'));

    // Take the kits, soonest expiry first (or the lot named).
    const today = new Date(effectiveAt).toISOString().slice(0, 10);
    const pickable = (await listPickableStock(trx, { itemIds: [kit.id], siteIds: [site.id], today })).filter((p) => input.lot_code === undefined || p.lotId !== NO_LOT);
    const lots = await findLots(trx, pickable.map((p) => p.lotId));
    const candidates = pickable.filter((p) => input.lot_code === undefined || lots.get(p.lotId)?.code === input.lot_code);
    const taken: MovementInput[] = [];
    let left = input.qty;
    for (const p of candidates) {
      if (left === 0) break;
      const take = Math.min(left, p.available);
      taken.push({ itemId: kit.id, lotId: p.lotId, fromLocationId: p.locationId, toLocationId: VIRTUAL_LOCATION_IDS.production, qty: take });
      left -= take;
    }
    if (left > 0) throw insufficientStock({ item_id: kit.id, location_id: site.id, lot_id: null, requested: input.qty / QTY_SCALE, available: (input.qty - left) / QTY_SCALE });
    const consumed = await postMovements(tctx, { kind: 'consumption', documentType: DISASSEMBLY_DOCUMENT, documentId: id, effectiveAt, movements: taken });
    const value = consumed.movements.reduce((sum, m) => sum + (m.value_micros ?? 0), 0);

    const items = await findItems(trx, lines.map((l) => l.item_id));
    const values = splitByWeight(value, lines.map((l) => l.weight));
    const outputs: MovementInput[] = [];
    for (const [i, l] of lines.entries()) {
      const component = items.get(l.item_id)!;
      const lotId = component.tracking === 'lot' ? (await findOrCreateLot(trx, component.id, 'lot', { code: number }, now)).id : NO_LOT;
      const cost = inboundCostOf(values[i]!, l.qty);
      outputs.push({ itemId: l.item_id, lotId, fromLocationId: VIRTUAL_LOCATION_IDS.production, toLocationId: bin.id, qty: l.qty, unitCostMicros: cost.unitCostMicros, landedMicros: cost.landedMicros });
    }
    const produced = await postMovements(tctx, { kind: 'production', documentType: DISASSEMBLY_DOCUMENT, documentId: id, effectiveAt, movements: outputs });
    const derivationId = await recordCostDerivation(
      trx,
      {
        documentType: DISASSEMBLY_DOCUMENT,
        documentId: id,
        extraMicros: 0,
        sourceMovementIds: consumed.movements.map((m) => m.id),
        outputs: produced.movements.map((m, i) => ({ movementId: m.id, itemId: m.item_id, qty: m.qty, weight: lines[i]!.weight })),
      },
      now,
    );
    const kitLot = taken.length === 1 ? (taken[0]!.lotId ?? NO_LOT) : NO_LOT;
    await trx
      .insertInto('disassemblies')
      .values({
        id,
        number,
        site_id: site.id,
        bin_id: bin.id,
        item_id: kit.id,
        lot_id: kitLot,
        qty: input.qty,
        rule: input.rule ?? 'standard',
        lines_json: JSON.stringify(lines),
        consumption_txn_id: consumed.txnId,
        production_txn_id: produced.txnId,
        derivation_id: derivationId,
        note: input.note ?? null,
        actor_id: ctx.actor.id,
        effective_at: effectiveAt,
        created_at: now,
      })
      .execute();
    return getDisassembly(tctx, id);
  });
}

/** What the kits break into (totals for all kits) and each component's weight under the rule. */
async function linesOf(trx: Parameters<typeof findItems>[0], kit: ItemRow, input: DisassembleInput): Promise<DisassemblyLine[]> {
  const rule = input.rule ?? 'standard';
  let perKit: Array<{ item_id: string; qty: number; unit?: string | undefined; share?: number | undefined }>;
  if (input.lines) perKit = input.lines;
  else {
    const bom = await findActiveBom(trx, kit.id);
    perKit = bom
      ? bom.lines.map((l) => ({ item_id: l.component_item_id, qty: mulDiv(l.qty, QTY_SCALE, bom.bom.batch_qty) }))
      : componentsOf(kit).map((c) => ({ item_id: c.item_id, qty: c.qty }));
  }
  if (perKit.length === 0) throw new ProductionError('disassembly_invalid', `${kit.sku} has no bill of materials or components; say what it breaks into.`, { errors: [{ field: 'body.lines', code: 'required', message: 'give the components' }] });
  const items = await findItems(trx, perKit.map((l) => l.item_id));
  const errors: FieldError[] = [];
  const lines: DisassemblyLine[] = [];
  for (const [i, l] of perKit.entries()) {
    const item = items.get(l.item_id);
    if (!item || item.stocked !== 1 || item.status !== 'active' || item.id === kit.id || item.tracking === 'serial') {
      errors.push({ field: `body.lines.${i}.item_id`, code: 'not_stockable', message: `${item?.sku ?? l.item_id} cannot come out of a disassembly` });
      continue;
    }
    const each = toBaseQuantity(item, l.qty, l.unit);
    const qty = each === null ? null : mulDiv(each, input.qty, QTY_SCALE);
    if (each === null || qty === null || qty <= 0) {
      errors.push({ field: `body.lines.${i}.qty`, code: 'unknown_unit', message: `${item.sku}: unknown unit or a quantity that does not convert exactly` });
      continue;
    }
    if (rule === 'declared' && l.share === undefined) errors.push({ field: `body.lines.${i}.share`, code: 'required', message: 'declare each component’s share' });
    lines.push({ item_id: item.id, sku: item.sku, qty, weight: l.share ?? 0 });
  }
  if (rule === 'declared' && errors.length === 0 && lines.reduce((s, l) => s + l.weight, 0) !== 100 * 10_000) {
    errors.push({ field: 'body.lines', code: 'shares', message: 'declared shares add up to 100' });
  }
  if (errors.length) throw new ProductionError('disassembly_invalid', errors[0]!.message, { errors });
  if (rule === 'standard') {
    const costs = await currentUnitCosts(trx, lines.map((l) => l.item_id));
    for (const l of lines) l.weight = mulDiv(l.qty, costs.get(l.item_id) ?? 0, QTY_SCALE);
    // Nothing known of any component's cost: share by quantity.
    if (lines.every((l) => l.weight === 0)) for (const l of lines) l.weight = l.qty;
  }
  return lines;
}

export async function getDisassembly(ctx: ServiceContext, id: string): Promise<DisassemblyRecord> {
  const db = reader(ctx);
  const row = await db.selectFrom('disassemblies').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !canSeeSite(ctx.actor, row.site_id)) throw new ProductionError('disassembly_not_found', `No disassembly ${id}.`);
  const [movements, lots] = await Promise.all([
    db.selectFrom('movements').select(['item_id', 'kind', 'value_micros']).where('document_id', '=', id).execute(),
    findLots(db, [row.lot_id]),
  ]);
  const lines = (JSON.parse(row.lines_json) as DisassemblyLine[]).map((l) => ({
    ...l,
    valueMicros: movements.filter((m) => m.kind === 'production' && m.item_id === l.item_id).reduce((s, m) => s + (m.value_micros ?? 0), 0),
  }));
  return {
    disassembly: row,
    lotCode: lots.get(row.lot_id)?.code ?? null,
    lines,
    valueMicros: movements.filter((m) => m.kind === 'consumption').reduce((s, m) => s + (m.value_micros ?? 0), 0),
  };
}
