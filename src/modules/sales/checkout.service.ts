import { sql } from 'kysely';
import { inTransaction, type ServiceContext } from '../../platform/context.ts';
import type { ItemRow, LocationRow, MovementRow, PaymentRow, SaleDiscountRow, SaleLineModifierRow, SaleLineRow, SaleRow } from '../../platform/db/schema.ts';
import { cachedQuery } from '../../platform/db/compiled-queries.ts';
import { cachedReads } from '../../platform/db/read-together.ts';
import { insertRowSets, type RowSet } from '../../platform/db/insert-rows.ts';
import { sendAhead } from '../../platform/db/pg-pipeline.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { mulDiv } from '../../platform/decimal.ts';
import { assertPricePrecision, minorUnitMicros } from '../../platform/money.ts';
import { QTY_SCALE } from '../../platform/quantity.ts';
import {
  barcodeLookupKey,
  itemRefKeys,
  loadOfferedModifiers,
  resolvedItemsFrom,
  resolveItemRefs,
  saleItemsRead,
  type ItemRefKeys,
  type ItemRefs,
  type ModifierComponent,
  type OfferedGroup,
  type ResolvedItems,
} from '../catalog/index.ts';
import { PostingBatch, postMovements, type NegativeBalance } from '../ledger/index.ts';
import { locationAndDefaultBinRead, resolveStockLocation, stockLocationFrom, VIRTUAL_LOCATION_IDS } from '../locations/index.ts';
import { checkOccurredAt } from '../offline/index.ts';
import { readSettings, settingsFrom, settingsRead } from '../settings/index.ts';
import { rateOfItem, resolveTaxRates, taxRulesAtLocationRead, taxTableFrom, type TaxTable } from '../tax/index.ts';
import { todayOf } from './availability.service.ts';
import { expandLine, loadConsumables } from './consumption.ts';
import { notifyLateSale } from './late-sales.ts';
import { coverOfflineShortage, type OfflineShortage } from './offline-shortage.ts';
import { priceSale, settlePayments, type DiscountSpec, type TenderInput } from './pricing.ts';
import { assignSaleLots, type PartNeed } from './sale-lots.ts';
import { SalesError } from './sales.errors.ts';
import type { CreateSaleInput, DiscountInput } from './sales.schema.ts';

/**
 * The counter sale: the hottest path in the product. Everything it needs is read in a handful of
 * batched queries (the location, every line's item by id, SKU or barcode, the modifiers offered
 * with them, nested components only when there are bundles, lots only when something is
 * tracked). The sale's rows are written in one statement per table, then one ledger posting
 * moves the parts from the store to the customer and values them; it comes last because it locks
 * the rows every till selling the same items waits for. Nothing is read back: the receipt is
 * built from what was written. An allow-negative store never refuses a sale because
 * its records disagree; the receipt flags any balance left below zero. A strict location refuses
 * with 409 insufficient_stock.
 *
 * Each line's tax rate, in this order: the line's `tax_rate`, the sale's `tax_rate`, else the
 * shop's tax set-up for the item at the sale's site (tax-resolution.ts in the tax module). A rate
 * given in the request keeps working for clients that price tax themselves. Whether prices include
 * tax is the shop setting at the moment of the sale, kept on the sale.
 *
 * A sale with `occurred_at` was rung up while the till was offline and is being replayed: it is
 * dated and valued at that moment (the ledger's back-dated path), keeps the price and items as
 * rung up even if one was archived since, takes the next number of its register like any sale,
 * and is never refused for stock — see offline-shortage.ts for what happens at a strict site.
 */

export interface SaleLineRecord extends Omit<SaleLineRow, 'cost_micros'> {
  sku: string;
  name: string;
  modifiers: SaleLineModifierRow[];
  movements: MovementRow[];
}

export interface SaleRecord {
  sale: SaleRow;
  lines: SaleLineRecord[];
  discounts: SaleDiscountRow[];
  payments: PaymentRow[];
  negativeBalances: NegativeBalance[];
  /** Stock a replayed offline sale took beyond what a strict site's records held; booked as shortage. */
  offlineShortages: OfflineShortage[];
}

export interface SaleExtras {
  /** Store credit from goods returned in the same exchange; it pays what it can of the sale (tender `exchange`). */
  credit?: number;
  exchangeId?: string;
}

interface ChosenModifier {
  id: string;
  groupId: string;
  name: string;
  priceDeltaMicros: number;
  components: ModifierComponent[];
}

export async function createSale(ctx: ServiceContext, input: CreateSaleInput, extras: SaleExtras = {}): Promise<SaleRecord> {
  return inTransaction(ctx, async (trx) => {
    const tctx = { ...ctx, trx };
    const recordedAt = ctx.clock.now();
    const occurredAt = await checkOccurredAt(trx, input.occurred_at, recordedAt);
    // Everything the sale writes is stamped with the moment it happened in the shop.
    const now = occurredAt ?? recordedAt;
    const batch = ctx.postingBatch instanceof PostingBatch ? ctx.postingBatch : undefined;
    const refs = {
      ids: input.lines.flatMap((l) => (l.item_id ? [l.item_id] : [])),
      skus: input.lines.flatMap((l) => (l.sku ? [l.sku] : [])),
      barcodes: input.lines.flatMap((l) => (l.barcode ? [l.barcode] : [])),
    };
    const { bin, resolved, settings, taxTable } = batch ? await openingReadsInBatch(tctx, batch, input.location_id, refs) : await openingReads(tctx, input.location_id, refs);
    assertSellableLocation(bin);
    const currency = settings.base_currency;
    if (input.currency !== undefined && input.currency !== currency) {
      throw new SalesError('currency_mismatch', `This shop sells in ${currency}, not ${input.currency}.`);
    }
    // Payments and discount amounts have their own whole-minor-unit checks in pricing.ts.
    assertPricePrecision(input.lines.map((line, i) => ({ field: `body.lines.${i}.unit_price`, micros: line.unit_price })), currency);
    const unit = minorUnitMicros(currency);
    const lineItems = itemsOfLines(input, resolved, occurredAt !== undefined);
    const itemIds = [...new Set(lineItems.map((i) => i.id))];
    // Only items the items' read found offered with modifiers are asked about: usually none.
    const offering = itemIds.filter((id) => resolved.offersModifiers!.has(id));
    const offered = batch ? await batch.byIds('offered-modifiers', offering, (ids) => loadOfferedModifiers(trx, ids)) : await loadOfferedModifiers(trx, offering);
    const chosen = input.lines.map((line, i) => chooseModifiers(i, lineItems[i]!, line.modifiers, offered.get(lineItems[i]!.id)));

    const componentIds = chosen.flat().flatMap((m) => m.components.flatMap((c) => (c.item_id ? [c.item_id] : [])));
    const catalog = await loadConsumables(trx, resolved.byId, componentIds);
    const needs: PartNeed[] = input.lines.flatMap((line, i) =>
      expandLine(lineItems[i]!.id, line.qty, chosen[i]!.map((m) => m.components), catalog, occurredAt !== undefined).map((p) => ({
        line: i,
        itemId: p.itemId,
        qty: p.qty,
        lotCode: p.itemId === lineItems[i]!.id ? (line.lot_code ?? null) : null,
      })),
    );
    const pieces = await assignSaleLots(trx, bin, needs, catalog, todayOf(now));

    const unitPrices = input.lines.map((line, i) => unitPriceOf(i, line.unit_price, lineItems[i]!, chosen[i]!));
    const taxRates = await taxRatesOf(trx, input, lineItems, bin.site_id!, batch, resolved.taxExempt!, taxTable);
    const taxIncluded = settings.prices_include_tax;
    const priced = priceSale(
      input.lines.map((line, i) => ({
        qty: line.qty,
        unitPriceMicros: unitPrices[i]!,
        discount: discountSpec(line.discount),
        taxRatePpm: taxRates[i]!,
      })),
      discountSpec(input.discount),
      unit,
      taxIncluded,
    );
    const creditUsed = Math.min(extras.credit ?? 0, priced.total);
    const tenders: TenderInput[] = [
      ...(creditUsed > 0 ? [{ tender: 'exchange' as const, amountMicros: creditUsed, reference: extras.exchangeId ?? null }] : []),
      ...input.payments.map((p) => ({ tender: p.tender, amountMicros: p.amount, reference: p.reference ?? null })),
    ];
    const settled = settlePayments(priced.total, tenders, unit);

    const saleId = newId('sal', now);
    const lineIds = input.lines.map(() => newId('sll', now));
    const employee = input.employee ?? ctx.actor.id;
    // The receipt number is sent for now and heard when the sale's rows are written: on
    // PostgreSQL the posting's first statement goes out on its trip.
    const receiptNumber = (await sendReceiptNumber(trx, bin, input.register)).answer;
    const unnumbered: Omit<SaleRow, 'number'> = {
      id: saleId,
      register: input.register.toUpperCase(),
      location_id: bin.id,
      site_id: bin.site_id!,
      channel_id: input.channel_id ?? null,
      currency,
      status: 'completed',
      subtotal_micros: priced.subtotal,
      discount_micros: priced.discount,
      tax_micros: priced.tax,
      total_micros: priced.total,
      paid_micros: settled.paid,
      change_micros: settled.change,
      refunded_micros: 0,
      employee: input.employee ?? null,
      note: input.note ?? null,
      exchange_id: extras.exchangeId ?? null,
      actor_id: ctx.actor.id,
      created_at: now,
      tax_included: taxIncluded ? 1 : 0,
    };
    const lines: SaleLineRecord[] = input.lines.map((line, i) => {
      const p = priced.lines[i]!;
      const item = lineItems[i]!;
      const modifiers = chosen[i]!.map((m, position) => ({
        sale_line_id: lineIds[i]!,
        position,
        sale_id: saleId,
        modifier_id: m.id,
        group_id: m.groupId,
        name: m.name,
        price_delta_micros: m.priceDeltaMicros,
        qty: line.qty,
        amount_micros: mulDiv(line.qty, m.priceDeltaMicros, QTY_SCALE),
        created_at: now,
      }));
      return {
        id: lineIds[i]!,
        sale_id: saleId,
        line_no: i + 1,
        item_id: item.id,
        lot_id: pieces.find((piece) => piece.line === i && piece.itemId === item.id)?.lotId ?? '',
        qty: line.qty,
        base_unit_price_micros: line.unit_price ?? item.price_micros ?? 0,
        unit_price_micros: unitPrices[i]!,
        gross_micros: p.gross,
        line_discount_micros: p.lineDiscount,
        sale_discount_micros: p.saleDiscount,
        net_micros: p.net,
        tax_rate_ppm: taxRates[i]!,
        tax_micros: p.tax,
        total_micros: p.total,
        qty_returned: 0,
        refunded_micros: 0,
        sku: item.sku,
        name: item.name,
        modifiers,
        movements: [] as MovementRow[],
      };
    });
    const discounts: SaleDiscountRow[] = [
      ...input.lines.flatMap((line, i) => (line.discount ? [discountRow(saleId, lineIds[i]!, line.discount, priced.lines[i]!.lineDiscount, employee, now)] : [])),
      ...(input.discount ? [discountRow(saleId, null, input.discount, priced.saleDiscount, employee, now)] : []),
    ];
    const payments: PaymentRow[] = tenders.map((t) => ({
      id: newId('pay', now),
      document_type: 'sale',
      document_id: saleId,
      direction: 'in',
      tender: t.tender,
      amount_micros: t.amountMicros,
      reference: t.reference,
      created_at: now,
    }));
    // A sale dated now that moves stock has its rows written with its posting's (one statement on
    // PostgreSQL). Otherwise they go first: an offline sale's shortage rows name the sale.
    const withPosting = pieces.length > 0 && occurredAt === undefined && !batch;
    const numbered = receiptNumber.then((number): [SaleRow, RowSet[]] => {
      const sale = { ...unnumbered, number };
      return [sale, saleRowSets(sale, lines, discounts, payments)];
    });
    const saleRows = numbered.then(([, rows]) => rows);
    // Heard below, or never if the sale fails before: then the transaction's error is the one thrown.
    for (const pending of [numbered, saleRows]) pending.catch(() => undefined);
    if (batch) deferSale(batch, await saleRows);
    else if (!withPosting) await insertRowSets(trx, await saleRows);
    const offlineShortages = occurredAt === undefined ? [] : await coverOfflineShortage(tctx, bin, saleId, pieces, occurredAt, recordedAt);
    const posted = pieces.length
      ? await postMovements(tctx, {
          ...(withPosting ? { documentRows: saleRows } : {}),
          kind: 'sale',
          documentType: 'sale',
          documentId: saleId,
          ...(occurredAt !== undefined ? { effectiveAt: occurredAt, allowArchived: true } : {}),
          // Read above in this transaction: the ledger need not read them again.
          known: { locations: [bin], items: [...catalog.values()] },
          movements: pieces.map((p) => ({
            itemId: p.itemId,
            lotId: p.lotId,
            fromLocationId: bin.id,
            toLocationId: VIRTUAL_LOCATION_IDS.customer,
            qty: p.qty,
            documentLineId: lineIds[p.line]!,
          })),
        })
      : null;
    if (occurredAt !== undefined) await notifyLateSale(trx, occurredAt, recordedAt);
    for (const line of lines) line.movements = posted?.movements.filter((m) => m.document_line_id === line.id) ?? [];
    const [sale] = await numbered;
    return { sale, lines, discounts, payments, negativeBalances: posted?.negativeBalances ?? [], offlineShortages };
  });
}

/** The sale's own rows, parents first. As plain INSERTs (insertRowSets): Kysely's builder cost more than SQLite took to store them. */
function saleRowSets(sale: SaleRow, lines: SaleLineRecord[], discounts: SaleDiscountRow[], payments: PaymentRow[]): RowSet[] {
  const lineRows = lines.map(({ sku: _sku, name: _name, modifiers: _modifiers, movements: _movements, ...row }) => row);
  return [
    { table: 'sales', rows: [sale] },
    { table: 'sale_lines', rows: lineRows },
    { table: 'sale_line_modifiers', rows: lines.flatMap((l) => l.modifiers) },
    { table: 'sale_discounts', rows: discounts },
    { table: 'payments', rows: payments },
  ];
}

/** Nothing else in a batch reads a sale back: its rows go with the batch's, parents first. */
function deferSale(batch: PostingBatch, sets: readonly RowSet[]): void {
  for (const set of sets) batch.deferInsert(set.table, set.rows as never);
}

export function assertSellableLocation(bin: LocationRow): void {
  if (bin.kind !== 'bin' || bin.purpose !== 'stock' || bin.site_id === null) {
    throw new SalesError('location_not_sellable', `${bin.full_code} is not a bin stock is sold from${bin.purpose === 'quarantine' ? ' (it is a quarantine bin)' : ''}.`, {
      extra: { location_id: bin.id },
    });
  }
}

/**
 * What a sale reads before anything else: its location (a site's default bin), its lines' items
 * with their sale facts, the shop settings and the tax rules at the location's site. One
 * statement on PostgreSQL, where each is a round trip (cachedReads).
 */
const saleOpeningReads = cachedReads(
  (db: Executor, args: { locationId: string } & ItemRefKeys) => locationAndDefaultBinRead(db, { id: args.locationId }),
  (db: Executor, args: { locationId: string } & ItemRefKeys) => saleItemsRead(db, args),
  (db: Executor) => settingsRead(db),
  (db: Executor, args: { locationId: string } & ItemRefKeys) => taxRulesAtLocationRead(db, { locationId: args.locationId }),
);

async function openingReads(ctx: ServiceContext & { trx: Trx }, locationId: string, refs: ItemRefs) {
  const keys = itemRefKeys(refs);
  const [locations, items, settingRows, rules] = await saleOpeningReads.execute(ctx.trx, { locationId, ...keys });
  const bin = stockLocationFrom(ctx.actor, locationId, locations);
  const resolved = resolvedItemsFrom(items, true);
  return { bin, resolved, settings: settingsFrom(settingRows), taxTable: taxTableFrom(bin.site_id ?? '', rules, resolved.taxExempt!) };
}

/** In a posting batch (the demo's runs of sales, an import) what no sale changes is read once per batch; tax rates per item (taxRatesOf). */
async function openingReadsInBatch(ctx: ServiceContext & { trx: Trx }, batch: PostingBatch, locationId: string, refs: ItemRefs) {
  const [bin, resolved, settings] = await Promise.all([
    batch.memo(`sale-location:${ctx.actor.id}:${locationId}`, () => resolveStockLocation(ctx, locationId)),
    resolveItemRefs(ctx.trx, refs, { saleFacts: true }),
    batch.memo('settings', () => readSettings(ctx.trx)),
  ]);
  return { bin, resolved, settings, taxTable: undefined };
}

/** A rate the request gives wins (the line's, then the sale's); the tax set-up decides the rest, read only when needed. */
async function taxRatesOf(
  trx: Trx,
  input: CreateSaleInput,
  items: readonly ItemRow[],
  siteId: string,
  batch: PostingBatch | undefined,
  exempt: ReadonlySet<string>,
  table: TaxTable | undefined,
): Promise<number[]> {
  const given = input.lines.map((line) => line.tax_rate ?? input.tax_rate);
  const missing = items.filter((_, i) => given[i] === undefined);
  if (missing.length === 0) return given as number[];
  if (table) return given.map((rate, i) => rate ?? rateOfItem(table, items[i]!));
  // In a batch, each item's rate is read once: no document of the batch changes items or tax rules.
  const rates = batch
    ? await batch.byIds(`tax-rate:${siteId}`, missing.map((i) => i.id), (ids) => ratesById(trx, siteId, missing.filter((i) => ids.includes(i.id)), exempt))
    : await ratesById(trx, siteId, missing, exempt);
  return given.map((rate, i) => rate ?? rates.get(items[i]!.id)!);
}

/** `exempt`: which of the sale's items are tax-exempt, read with them in this transaction. */
async function ratesById(trx: Trx, siteId: string, items: readonly ItemRow[], exempt: ReadonlySet<string>): Promise<Map<string, number>> {
  const rates = await resolveTaxRates(trx, siteId, items, exempt);
  return new Map(items.map((item, i) => [item.id, rates[i]!]));
}

/** An offline sale already happened, so an item archived before it replays still sells as rung up. */
function itemsOfLines(input: CreateSaleInput, resolved: ResolvedItems, offline: boolean): ItemRow[] {
  const errors: FieldError[] = [];
  const items = input.lines.map((line, i) => {
    const item = line.item_id
      ? resolved.byId.get(line.item_id)
      : line.sku
        ? resolved.bySku.get(line.sku.trim().toUpperCase())
        : resolved.byBarcode.get(barcodeLookupKey(line.barcode!) ?? '');
    const field = `body.lines.${i}.${line.item_id ? 'item_id' : line.sku ? 'sku' : 'barcode'}`;
    if (!item) errors.push({ field, code: 'not_found', message: `no item ${line.item_id ?? line.sku ?? line.barcode}` });
    else if (item.status !== 'active' && !offline) errors.push({ field, code: 'archived', message: `${item.sku} is archived` });
    return item;
  });
  if (errors.length) throw new SalesError('sale_line_invalid', errors[0]!.message, { errors });
  return items as ItemRow[];
}

/** Checks the chosen modifiers against the groups offered with the item: each must be offered, and every group's min and max hold. */
function chooseModifiers(line: number, item: ItemRow, ids: readonly string[], offered: OfferedGroup[] | undefined): ChosenModifier[] {
  const errors: FieldError[] = [];
  const chosen: ChosenModifier[] = [];
  const counts = new Map<string, number>();
  ids.forEach((id, j) => {
    const group = offered?.find((g) => g.modifiers.has(id));
    if (!group) {
      errors.push({ field: `body.lines.${line}.modifiers.${j}`, code: 'not_offered', message: `modifier ${id} is not offered with ${item.sku}` });
      return;
    }
    const m = group.modifiers.get(id)!;
    counts.set(group.group.id, (counts.get(group.group.id) ?? 0) + 1);
    chosen.push({ id, groupId: group.group.id, name: m.name, priceDeltaMicros: m.price_delta_micros, components: m.components });
  });
  for (const { group } of offered ?? []) {
    const n = counts.get(group.id) ?? 0;
    if (n < group.min_select) errors.push({ field: `body.lines.${line}.modifiers`, code: 'too_few', message: `${item.sku} needs at least ${group.min_select} of ${group.name}` });
    if (group.max_select !== null && n > group.max_select) {
      errors.push({ field: `body.lines.${line}.modifiers`, code: 'too_many', message: `${item.sku} takes at most ${group.max_select} of ${group.name}` });
    }
  }
  if (errors.length) throw new SalesError('modifier_invalid', errors[0]!.message, { errors });
  return chosen;
}

function unitPriceOf(line: number, given: number | undefined, item: ItemRow, modifiers: readonly ChosenModifier[]): number {
  const base = given ?? item.price_micros;
  if (base === null) {
    throw new SalesError('sale_line_invalid', `${item.sku} has no price; give unit_price.`, {
      errors: [{ field: `body.lines.${line}.unit_price`, code: 'required', message: 'the item has no price' }],
    });
  }
  const price = modifiers.reduce((sum, m) => sum + m.priceDeltaMicros, base);
  if (price < 0) throw new SalesError('modifier_invalid', `The modifiers take ${item.sku} below zero.`);
  return price;
}

function discountSpec(input: DiscountInput | undefined): DiscountSpec | null {
  if (!input) return null;
  return input.amount !== undefined ? { kind: 'amount', amountMicros: input.amount } : { kind: 'percent', ppm: input.percent! };
}

function discountRow(saleId: string, lineId: string | null, input: DiscountInput, amount: number, employee: string, now: number): SaleDiscountRow {
  return {
    id: newId('dsc', now),
    sale_id: saleId,
    sale_line_id: lineId,
    kind: input.amount !== undefined ? 'amount' : 'percent',
    percent_ppm: input.percent ?? null,
    amount_micros: amount,
    reason: input.reason,
    employee: input.employee ?? employee,
  };
}

/**
 * `MAIN-T1-000042`: numbered per register. The register's row is locked until commit, so one
 * till's receipts number in order while other tills never wait for it; taken last, to hold the
 * lock as briefly as possible.
 */
const registerCounterQuery = cachedQuery((db: Executor, args: { key: string }) =>
  db
    .insertInto('sale_registers')
    .values({ register_key: args.key, last_number: 1 })
    .onConflict((oc) => oc.column('register_key').doUpdateSet({ last_number: sql`sale_registers.last_number + 1` }))
    .returning('last_number'),
);

/** Takes the register's next number (sendAhead): the answer is the receipt number, to be awaited later. */
async function sendReceiptNumber(trx: Trx, bin: LocationRow, register: string): Promise<{ answer: Promise<string> }> {
  const key = `${bin.site_id}:${register.toUpperCase()}`;
  const { answer } = await sendAhead(trx, registerCounterQuery.compile(trx, { key }));
  const siteCode = bin.full_code.split('/')[0]!;
  const number = answer.then(({ rows: [row] }) => `${siteCode}-${register.toUpperCase()}-${String(row!.last_number).padStart(6, '0')}`);
  number.catch(() => undefined);
  return { answer: number };
}
