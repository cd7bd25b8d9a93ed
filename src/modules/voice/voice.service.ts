import { sql } from 'kysely';
import { reader, type ServiceContext } from '../../platform/context.ts';
import { localDate, startOfLocalDay } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { roleHas } from '../access/index.ts';
import { unitsOf } from '../catalog/index.ts';
import { onHandByItem } from '../ledger/index.ts';
import { listLocations } from '../locations/index.ts';
import { addPurchaseOrderLines, createPurchaseOrder, getVendor, listItemVendors, listPurchaseOrders } from '../purchasing/index.ts';
import { levelsAtSites, siteLevelKey } from '../replenishment/index.ts';
import { readSettings } from '../settings/index.ts';
import { parsePhrase, type Slots, type VoiceIntent } from './phrases.ts';
import { VoiceError } from './voice.errors.ts';
import { spokenAmount, spokenNumber, unitWord } from './speech.ts';
import { matchName, spokenList, spokenQuantity, wordsOf, type Named } from './words.ts';

/**
 * The answers behind every voice front end (Alexa, the text endpoint): each intent runs on the
 * same services as the API, as the caller, so a site the caller is not granted does not exist
 * for them and a permission they lack is said rather than worked around. Nothing here speaks a
 * cost or a price: a voice answer may be overheard at the counter, and staff never see costs.
 */

export type Confirmation = 'none' | 'confirmed' | 'denied';

export interface VoiceAnswer {
  speech: string;
  intent: VoiceIntent | 'unknown';
  slots: Slots;
  /** True when nothing was written yet: say yes (or Alexa's CONFIRMED) with the same intent and slots to do it. */
  needsConfirmation: boolean;
}

/** How many items one spoken list names before "and N more": more is not listened to. */
const SPOKEN_LIST_MAX = 5;
/** A bound on the catalogue read to match a spoken name; a shop with more is matched by SKU-like names all the same. */
const MATCH_ITEMS_MAX = 20_000;

export const HELP_SPEECH =
  'You can ask: how many oat milk are at Main Street, what is low at the harbour store, what sold best today, or add two cases of oat milk to the next order.';

export async function answerIntent(ctx: ServiceContext, intent: VoiceIntent | 'unknown', slots: Slots, confirmation: Confirmation): Promise<VoiceAnswer> {
  const answer = (speech: string, needsConfirmation = false): VoiceAnswer => ({ speech, intent, slots, needsConfirmation });
  switch (intent) {
    case 'StockAtSiteIntent':
      return answer(await stockAtSite(ctx, slots));
    case 'LowStockIntent':
      return answer(await lowAtSite(ctx, slots));
    case 'TopSellersIntent':
      return answer(await topSellersToday(ctx));
    case 'AddToOrderIntent':
      return addToNextOrder(ctx, slots, confirmation);
    default:
      return answer(`Sorry, I did not understand that. ${HELP_SPEECH}`);
  }
}

interface SpokenItem extends Named {
  baseUnit: string;
  units: Array<{ name: string; factor: number }>;
  stocked: boolean;
}

async function loadItems(ctx: ServiceContext): Promise<SpokenItem[]> {
  const rows = await reader(ctx)
    .selectFrom('items')
    .select(['id', 'sku', 'name', 'base_unit', 'units_json', 'stocked'])
    .where('status', '=', 'active')
    .orderBy('sku')
    .limit(MATCH_ITEMS_MAX)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, code: r.sku, baseUnit: r.base_unit, units: unitsOf(r), stocked: Number(r.stocked) === 1 }));
}

async function loadSites(ctx: ServiceContext): Promise<Named[]> {
  const rows = await listLocations(ctx, { includeVirtual: false });
  return rows.filter((r) => r.kind === 'site').map((r) => ({ id: r.id, name: r.name, code: r.code }));
}

type Resolved<T> = { ok: true; record: T } | { ok: false; speech: string };

function resolve<T extends Named>(phrase: string | undefined, records: readonly T[], what: 'item' | 'site'): Resolved<T> {
  if (!phrase || wordsOf(phrase).length === 0) return { ok: false, speech: `Which ${what}?` };
  const match = matchName(phrase, records);
  if (match.kind === 'one') return { ok: true, record: match.record };
  if (match.kind === 'none') return { ok: false, speech: `I could not find ${what === 'item' ? 'an item' : 'a site'} called ${phrase}.` };
  const names = match.records.slice(0, 3).map((r) => r.name);
  return { ok: false, speech: `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)} could be ${spokenList(names).replace(/ and ([^,]*)$/, ' or $1')}${match.records.length > 3 ? ', among others' : ''}. Which one?` };
}

async function stockAtSite(ctx: ServiceContext, slots: Slots): Promise<string> {
  const [items, sites] = await Promise.all([loadItems(ctx), loadSites(ctx)]);
  const item = resolve(slots.item, items, 'item');
  if (!item.ok) return item.speech;
  const site = resolve(slots.site, sites, 'site');
  if (!site.ok) return site.speech;
  if (!item.record.stocked) return `${item.record.name} is not kept in stock; it is made from its components when sold.`;
  const onHand = (await onHandByItem(ctx, { locationId: site.record.id, itemIds: [item.record.id] })).get(item.record.id) ?? 0;
  if (onHand === 0) return `${item.record.name}: none on hand at ${site.record.name}.`;
  const note = onHand < 0 ? ' The records have gone below zero, so it is worth a count.' : '';
  return `${item.record.name}: ${spokenAmount(onHand, item.record.baseUnit)} on hand at ${site.record.name}.${note}`;
}

async function lowAtSite(ctx: ServiceContext, slots: Slots): Promise<string> {
  const [items, sites] = await Promise.all([loadItems(ctx), loadSites(ctx)]);
  const site = resolve(slots.site, sites, 'site');
  if (!site.ok) return site.speech;
  const stocked = items.filter((i) => i.stocked);
  const [levels, onHand] = await Promise.all([
    levelsAtSites(reader(ctx), stocked.map((i) => i.id), [site.record.id]),
    onHandByItem(ctx, { locationId: site.record.id }),
  ]);
  const low = stocked
    .map((item) => ({ item, qty: onHand.get(item.id) ?? 0, level: levels.get(siteLevelKey(item.id, site.record.id)) }))
    // As on the dashboard: an item delivered daily (bakes, milk) is refilled tomorrow whatever is left, so it is never low.
    .filter((l) => l.level !== undefined && !l.level.deliveredDaily && l.qty <= l.level.min)
    // Out of stock first, then the furthest under its minimum: what to deal with first is said first.
    .sort((a, b) => Number(a.qty > 0) - Number(b.qty > 0) || a.qty - a.level!.min - (b.qty - b.level!.min) || (a.item.name < b.item.name ? -1 : 1));
  if (low.length === 0) return `Nothing is low at ${site.record.name}: everything is above its minimum.`;
  const said = low.slice(0, SPOKEN_LIST_MAX).map((l) => `${l.item.name} with ${l.qty === 0 ? 'none' : spokenAmount(l.qty, l.item.baseUnit)}`);
  const more = low.length > SPOKEN_LIST_MAX ? `, and ${low.length - SPOKEN_LIST_MAX} more` : '';
  const count = low.length === 1 ? 'One item is' : `${low.length} items are`;
  return `${count} at or below the minimum at ${site.record.name}: ${spokenList(said)}${more}.`;
}

async function topSellersToday(ctx: ServiceContext): Promise<string> {
  if (!roleHas(ctx.actor.role, 'sales.read') && !roleHas(ctx.actor.role, 'reports.read')) return 'Your account cannot see sales, so I cannot say what sold.';
  const db = reader(ctx);
  const { time_zone } = await readSettings(db);
  const today = localDate(ctx.clock.now(), time_zone);
  const from = startOfLocalDay(today, time_zone);
  const to = startOfLocalDay(nextDate(today), time_zone);
  let lines = db
    .selectFrom('sale_lines as l')
    .innerJoin('sales as s', 's.id', 'l.sale_id')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .where('s.created_at', '>=', from)
    .where('s.created_at', '<', to)
    .where('s.status', '<>', 'voided');
  if (ctx.actor.sites !== 'all') {
    const sites = [...ctx.actor.sites];
    lines = sites.length ? lines.where('s.site_id', 'in', sites) : lines.where(sql<boolean>`1 = 0`);
  }
  const top = await lines
    .select(['l.item_id', 'i.name', 'i.base_unit', sql<number>`sum(l.qty)`.as('qty')])
    .groupBy(['l.item_id', 'i.name', 'i.base_unit'])
    .orderBy(sql`sum(l.qty)`, 'desc')
    .orderBy('i.name')
    .limit(3)
    .execute();
  if (top.length === 0) return 'Nothing has sold yet today.';
  const said = top.map((t) => `${t.name}, ${spokenAmount(Number(t.qty), t.base_unit)}`);
  return top.length === 1 ? `The only thing sold today is ${said[0]}.` : `Today's best sellers are ${spokenList(said)}.`;
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

interface OrderPlan {
  item: SpokenItem;
  qty: number;
  unit: string;
  vendorId: string;
  vendorName: string;
  draft: { id: string; number: string } | null;
  deliverySite: Named;
}

async function addToNextOrder(ctx: ServiceContext, slots: Slots, confirmation: Confirmation): Promise<VoiceAnswer> {
  const answer = (speech: string, needsConfirmation = false): VoiceAnswer => ({ speech, intent: 'AddToOrderIntent', slots, needsConfirmation });
  if (!roleHas(ctx.actor.role, 'purchasing.write')) return answer('Your account cannot change purchase orders. Ask a manager to add it.');
  const plan = await planOrderLine(ctx, slots);
  if (!plan.ok) return answer(plan.speech);
  const p = plan.record;
  const unit = unitWord(p.unit, p.qty);
  const what = unit ? `${spokenNumber(p.qty)} ${unit} of ${p.item.name}` : `${spokenNumber(p.qty)} ${p.item.name}`;
  const where = p.draft ? `the draft order for ${p.vendorName}` : `a new draft order for ${p.vendorName}, delivered to ${p.deliverySite.name}`;
  if (confirmation === 'denied') return answer(`Okay, I did not add ${what}.`);
  if (confirmation === 'none') return answer(`Add ${what} to ${where}?`, true);
  try {
    const line = { item_id: p.item.id, qty: p.qty, unit: p.unit };
    const po = p.draft
      ? await addPurchaseOrderLines(ctx, p.draft.id, [line])
      : await createPurchaseOrder(ctx, { vendor_id: p.vendorId, delivery_site_id: p.deliverySite.id, lines: [line] });
    return answer(`Done: ${what} added to draft order ${po.number} for ${p.vendorName}.`);
  } catch (error) {
    // The line's own checks (a unit that does not convert exactly, a full order) are said, not thrown at a speaker.
    if (error instanceof AppError && error.status < 500 && error.status !== 401) return answer(`I could not add that: ${error.message}`);
    throw error;
  }
}

async function planOrderLine(ctx: ServiceContext, slots: Slots): Promise<Resolved<OrderPlan>> {
  const items = await loadItems(ctx);
  const found = resolve(slots.item, items, 'item');
  if (!found.ok) return found;
  const item = found.record;
  if (!item.stocked) return { ok: false, speech: `${item.name} is not kept in stock; order its components instead.` };
  const qty = spokenQuantity(slots.quantity ?? 'one');
  if (qty === null) return { ok: false, speech: `I did not catch how many ${item.name} to add.` };
  const vendors = await listItemVendors(ctx, item.id);
  const terms = vendors[0];
  if (!terms) return { ok: false, speech: `${item.name} has no vendor yet. Add one on the item's page first.` };
  const unit = slots.unit ? unitNamed(item, slots.unit) : terms.purchase_unit;
  if (unit === null) {
    const known = spokenList([item.baseUnit, ...item.units.map((u) => u.name)].map((u) => unitWord(u, 2000) || 'each'));
    return { ok: false, speech: `${item.name} is not bought in ${slots.unit}. It comes in ${known}.` };
  }
  const vendor = await getVendor(ctx, terms.vendor_id);
  const drafts = await listPurchaseOrders(ctx, { status: 'draft', vendorId: vendor.id, limit: 1 });
  const draft = drafts.rows[0] ?? null;
  const site = draft ? { id: draft.delivery_site_id, name: '', code: '' } : await deliverySiteFor(ctx, vendor.id);
  if (!site) return { ok: false, speech: 'Your account has no site to deliver an order to.' };
  return { ok: true, record: { item, qty, unit, vendorId: vendor.id, vendorName: vendor.name, draft: draft && { id: draft.id, number: draft.number }, deliverySite: site } };
}

/** The item's unit a spoken word names ("cases" → case, "kilos" is not guessed), or null. */
function unitNamed(item: SpokenItem, spoken: string): string | null {
  const said = wordsOf(spoken).join(' ');
  const units = [item.baseUnit, ...item.units.map((u) => u.name)];
  const named = units.find((u) => wordsOf(u).join(' ') === said || wordsOf(unitWord(u, 2000)).join(' ') === said);
  if (named) return named;
  // "each", "units", "pieces" are the base unit of a counted item.
  return ['each', 'unit', 'piece', 'item'].includes(said) ? item.baseUnit : null;
}

/** Where a new draft goes: where this vendor's last order went, else the caller's first site. */
async function deliverySiteFor(ctx: ServiceContext, vendorId: string): Promise<Named | null> {
  const sites = await loadSites(ctx);
  const last = (await listPurchaseOrders(ctx, { vendorId, limit: 1 })).rows[0];
  return (last && sites.find((s) => s.id === last.delivery_site_id)) ?? sites[0] ?? null;
}

const yesPattern = /^(?:yes|yeah|yep|sure|ok|okay|confirm|do it|go ahead)\b/i;
const noPattern = /^(?:no|nope|cancel|don'?t|do not|stop)\b/i;

/**
 * The text endpoint's turn: a phrase, or a yes or a no to the answer before it, which the caller
 * carries back (`pending`) since the endpoint keeps no conversation of its own.
 */
export async function answerText(ctx: ServiceContext, text: string, pending?: { intent: VoiceIntent; slots: Slots }): Promise<VoiceAnswer> {
  const reply = yesPattern.test(text) ? 'confirmed' : noPattern.test(text) ? 'denied' : null;
  if (reply && pending) {
    if (pending.intent !== 'AddToOrderIntent') throw new VoiceError('voice_pending_invalid', `${pending.intent} asks for no confirmation; only AddToOrderIntent does.`);
    return answerIntent(ctx, pending.intent, pending.slots, reply);
  }
  if (reply) return { speech: 'There is nothing waiting for a yes or a no.', intent: 'unknown', slots: {}, needsConfirmation: false };
  const parsed = parsePhrase(text);
  return answerIntent(ctx, parsed.intent, parsed.slots, 'none');
}
