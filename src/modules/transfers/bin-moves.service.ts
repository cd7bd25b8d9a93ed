import { canSeeSite, inTransaction, type ServiceContext } from '../../platform/context.ts';
import { formatDocumentNumber, nextNumber } from '../../platform/db/counters.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { findItems } from '../catalog/index.ts';
import { NO_LOT, postMovements } from '../ledger/index.ts';
import { findLocation } from '../locations/index.ts';
import { TransferError } from './transfers.errors.ts';
import { toBaseQuantity, type BinMoveInput } from './transfers.schema.ts';

/**
 * A bin-to-bin move inside one site, in one step: put-away from a receiving bin, replenishing a
 * pick face from overstock. It posts one `transfer` movement per line and nothing goes through
 * transit. The source bin is guarded like any other strict write: at a strict site a move never
 * takes a bin below zero nor below what is reserved there (409 insufficient_stock).
 */

export interface BinMoveRecord {
  id: string;
  number: string;
  site_id: string;
  from_location_id: string;
  to_location_id: string;
  reason: BinMoveInput['reason'];
  note: string | null;
  txn_id: string;
  created_at: number;
  lines: Array<{ item_id: string; lot_id: string; qty: number }>;
}

export async function moveBetweenBins(ctx: ServiceContext, input: BinMoveInput): Promise<BinMoveRecord> {
  return inTransaction(ctx, async (trx) => {
    const [from, to] = await Promise.all([findLocation(trx, input.from_location_id), findLocation(trx, input.to_location_id)]);
    if (!from || !canSeeSite(ctx.actor, from.site_id)) throw new TransferError('bin_move_invalid', `No bin ${input.from_location_id}.`, { errors: [field('from_location_id', 'not_found')] });
    if (from.kind !== 'bin') throw new TransferError('bin_move_invalid', `${from.full_code} is a ${from.kind}; stock moves between bins.`, { errors: [field('from_location_id', 'not_a_bin')] });
    if (!to || to.kind !== 'bin' || to.site_id !== from.site_id || to.status !== 'active') {
      throw new TransferError('bin_move_invalid', 'A bin move ends in an active bin of the same site; between sites, make a transfer.', { errors: [field('to_location_id', 'not_same_site')] });
    }
    if (to.id === from.id) throw new TransferError('bin_move_invalid', 'The stock is in that bin already.', { errors: [field('to_location_id', 'same_bin')] });

    const items = await findItems(trx, input.lines.map((l) => l.item_id));
    const errors: FieldError[] = [];
    const lines: BinMoveRecord['lines'] = [];
    for (const [i, line] of input.lines.entries()) {
      const item = items.get(line.item_id);
      if (!item) {
        errors.push({ field: `body.lines.${i}.item_id`, code: 'not_found', message: `no item ${line.item_id}` });
        continue;
      }
      const qty = toBaseQuantity(item, line.qty, line.unit);
      if (qty === null) {
        errors.push({ field: `body.lines.${i}.unit`, code: 'unknown_unit', message: `${item.sku} has no unit ${line.unit}` });
        continue;
      }
      let lotId = NO_LOT;
      if (item.tracking !== 'none') {
        const lot = line.lot_code ? await trx.selectFrom('lots').select('id').where('item_id', '=', item.id).where('code', '=', line.lot_code).executeTakeFirst() : undefined;
        if (!lot) {
          errors.push({ field: `body.lines.${i}.lot_code`, code: line.lot_code ? 'not_found' : 'required', message: `${item.sku} is tracked by ${item.tracking}; give a known ${item.tracking}` });
          continue;
        }
        lotId = lot.id;
      }
      lines.push({ item_id: item.id, lot_id: lotId, qty });
    }
    if (errors.length) throw new TransferError('bin_move_invalid', errors[0]!.message, { errors });

    const now = ctx.clock.now();
    const id = newId('bmv', now);
    const posted = await postMovements(
      { ...ctx, trx },
      {
        kind: 'transfer',
        reason: input.reason,
        documentType: 'bin_move',
        documentId: id,
        movements: lines.map((l) => ({ itemId: l.item_id, lotId: l.lot_id, fromLocationId: from.id, toLocationId: to.id, qty: l.qty })),
      },
    );
    const number = formatDocumentNumber('MOV', await nextNumber(trx, 'bin_move'));
    await trx
      .insertInto('bin_moves')
      .values({ id, number, site_id: from.site_id!, reason: input.reason, note: input.note ?? null, txn_id: posted.txnId, actor_id: ctx.actor.id, created_at: now })
      .execute();
    return { id, number, site_id: from.site_id!, from_location_id: from.id, to_location_id: to.id, reason: input.reason, note: input.note ?? null, txn_id: posted.txnId, created_at: now, lines };
  });
}

function field(name: string, code: string): FieldError {
  return { field: `body.${name}`, code, message: code.replace(/_/g, ' ') };
}
