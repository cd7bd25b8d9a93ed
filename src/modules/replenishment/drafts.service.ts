import { localDate } from '../../platform/clock.ts';
import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { addDays } from '../forecasting/index.ts';
import { createPurchaseOrder, type PurchaseOrderRecord } from '../purchasing/index.ts';
import { readSettings } from '../settings/index.ts';
import { createTransfer, type TransferRecord } from '../transfers/index.ts';
import { measuredLeadTimes } from './demand.service.ts';
import { preferredVendors } from './levels.service.ts';
import { proposeReplenishment } from './proposals.service.ts';
import { ReplenishmentError } from './replenishment.errors.ts';

/**
 * Turning proposals into documents: draft purchase orders (one per vendor and delivery site) and
 * transfers (one per source and destination), all in the caller's one transaction, so a retry with
 * the same Idempotency-Key returns the same documents and a failure makes none. Drafts are never
 * sent here: a person sends them.
 */

export interface DraftLineInput {
  item_id: string;
  site_id: string;
  /** Null or left out: the item's preferred vendor. */
  vendor_id?: string | null | undefined;
  /** Thousandths of `unit`. */
  qty: number;
  unit?: string | undefined;
}

export const DRAFT_NOTE = 'Proposed by replenishment';

export async function createDraftPurchaseOrders(ctx: ServiceContext, lines: readonly DraftLineInput[]): Promise<PurchaseOrderRecord[]> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const preferred = await preferredVendors(tctx, lines.map((l) => l.item_id));
    const leadTimes = await measuredLeadTimes(tctx);
    const { time_zone: timeZone } = await readSettings(reader(tctx));
    const today = localDate(ctx.clock.now(), timeZone);
    const groups = new Map<string, { vendorId: string; siteId: string; lines: DraftLineInput[] }>();
    lines.forEach((line, index) => {
      const vendorId = line.vendor_id ?? preferred.get(line.item_id);
      if (!vendorId) {
        throw new ReplenishmentError('replenishment_line_invalid', `Item ${line.item_id} has no vendor to order from; name one with vendor_id.`, {
          errors: [{ field: `body.lines.${index}.vendor_id`, code: 'required', message: 'the item has no preferred vendor' }],
        });
      }
      const k = `${vendorId}|${line.site_id}`;
      const group = groups.get(k) ?? { vendorId, siteId: line.site_id, lines: [] };
      group.lines.push(line);
      groups.set(k, group);
    });
    const made: PurchaseOrderRecord[] = [];
    for (const group of groups.values()) {
      const lead = leadTimes.get(group.vendorId);
      made.push(
        await createPurchaseOrder(tctx, {
          vendor_id: group.vendorId,
          delivery_site_id: group.siteId,
          expected_on: lead ? addDays(today, lead.days) : null,
          notes: DRAFT_NOTE,
          lines: group.lines.map((l) => ({ item_id: l.item_id, qty: l.qty, ...(l.unit ? { unit: l.unit } : {}) })),
        }),
      );
    }
    return made;
  });
}

export interface TransferLineInput {
  item_id: string;
  source_site_id: string;
  destination_site_id: string;
  /** Base thousandths. */
  qty: number;
}

export async function createProposedTransfers(ctx: ServiceContext, lines: readonly TransferLineInput[]): Promise<TransferRecord[]> {
  return inTransaction(ctx, async (trx) => {
    const groups = new Map<string, TransferLineInput[]>();
    for (const line of lines) {
      const k = `${line.source_site_id}|${line.destination_site_id}`;
      groups.set(k, [...(groups.get(k) ?? []), line]);
    }
    const made: TransferRecord[] = [];
    for (const group of groups.values()) {
      made.push(
        await createTransfer({ ...ctx, trx }, {
          source_site_id: group[0]!.source_site_id,
          destination_site_id: group[0]!.destination_site_id,
          note: DRAFT_NOTE,
          lines: group.map((l) => ({ item_id: l.item_id, qty: l.qty })),
        }),
      );
    }
    return made;
  });
}

const AUTO_KEY = 'replenishment_auto_drafts';
const LAST_RUN_KEY = 'replenishment_auto_drafts_last_run';

export async function readAutoDrafts(ctx: ServiceContext): Promise<{ enabled: boolean; lastRunOn: string | null }> {
  const rows = await reader(ctx).selectFrom('settings').selectAll().where('key', 'in', [AUTO_KEY, LAST_RUN_KEY]).execute();
  const byKey = new Map(rows.map((r) => [r.key, r.value]));
  return { enabled: byKey.get(AUTO_KEY) === 'true', lastRunOn: byKey.get(LAST_RUN_KEY) ?? null };
}

async function writeSetting(ctx: ServiceContext, key: string, value: string): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    const found = await trx.selectFrom('settings').select('key').where('key', '=', key).executeTakeFirst();
    if (found) await trx.updateTable('settings').set({ value }).where('key', '=', key).execute();
    else await trx.insertInto('settings').values({ key, value }).execute();
  });
}

export async function setAutoDrafts(ctx: ServiceContext, enabled: boolean): Promise<{ enabled: boolean; lastRunOn: string | null }> {
  await writeSetting(ctx, AUTO_KEY, enabled ? 'true' : 'false');
  return readAutoDrafts(ctx);
}

/**
 * The schedule: once a local day, when the owner has turned it on, every purchase proposal with a
 * vendor becomes a draft purchase order. Drafts count as on order, so the next day's run does not
 * order the same again. Nothing is sent. Returns how many drafts it made.
 */
export async function runScheduledDrafts(ctx: ServiceContext): Promise<number> {
  const setting = await readAutoDrafts(ctx);
  if (!setting.enabled) return 0;
  const { time_zone: timeZone } = await readSettings(reader(ctx));
  const today = localDate(ctx.clock.now(), timeZone);
  if (setting.lastRunOn === today) return 0;
  const proposals = await proposeReplenishment(ctx);
  const lines = proposals.purchase
    .filter((g) => g.vendorId !== null)
    .flatMap((g) => g.lines.map((l) => ({ item_id: l.itemId, site_id: l.siteId, vendor_id: g.vendorId, qty: l.order.qty, unit: l.terms.unitName })));
  return inTransaction(ctx, async (trx) => {
    const made = lines.length ? await createDraftPurchaseOrders({ ...ctx, trx }, lines) : [];
    await writeSetting({ ...ctx, trx }, LAST_RUN_KEY, today);
    return made.length;
  });
}
