/**
 * Square's objects (as the `square` SDK hands them over, camelCase) reduced to the adapter's
 * platform-neutral shapes. Pure functions: no requests, no clock.
 */
import type { Square } from 'square';
import type { UpstreamOrder, UpstreamOrderLine, UpstreamOrderStatus, UpstreamRefund, UpstreamVariant } from '../adapter.ts';

const THOUSANDTHS_PER_UNIT = 1000n;

/** Square quantities are decimal strings ("2", "1.5"); Stockroom counts thousandths. Throws on more than three decimals rather than rounding. */
export function thousandthsFromDecimal(text: string): number {
  const match = /^(-?)(\d+)(?:\.(\d{1,3})0*)?$/.exec(text.trim());
  if (!match) throw new Error(`Square quantity "${text}" is not a decimal with at most three places`);
  const [, sign, whole, fraction = ''] = match;
  const value = BigInt(whole!) * THOUSANDTHS_PER_UNIT + BigInt(fraction.padEnd(3, '0'));
  const signed = sign === '-' ? -value : value;
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`Square quantity "${text}" is out of range`);
  return Number(signed);
}

/** The inverse: 1500 → "1.5", 5000 → "5". */
export function decimalFromThousandths(qty: number): string {
  if (!Number.isSafeInteger(qty)) throw new Error(`quantity ${qty} is not an integer number of thousandths`);
  const sign = qty < 0 ? '-' : '';
  const abs = Math.abs(qty);
  const fraction = String(abs % 1000).padStart(3, '0').replace(/0+$/, '');
  return `${sign}${Math.trunc(abs / 1000)}${fraction ? `.${fraction}` : ''}`;
}

/** Square money is an integer of the currency's smallest unit; the adapter speaks decimal strings. */
export function decimalFromMoney(money: Square.Money | undefined | null): string | null {
  if (!money || money.amount === undefined || money.amount === null) return null;
  const digits = minorUnitDigits(money.currency ?? 'USD');
  const amount = BigInt(money.amount);
  const sign = amount < 0n ? '-' : '';
  const abs = (amount < 0n ? -amount : amount).toString().padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

export function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An ITEM object carries its variations; each variation is one sellable thing. */
export function variantsFromCatalogObject(object: Square.CatalogObject): UpstreamVariant[] {
  if (object.type !== 'ITEM' || object.isDeleted) return [];
  const itemName = object.itemData?.name ?? '';
  const variations = object.itemData?.variations ?? [];
  return variations.flatMap((variation) => {
    if (variation.type !== 'ITEM_VARIATION' || variation.isDeleted) return [];
    const data = variation.itemVariationData;
    const variationName = data?.name ?? '';
    return [{
      ref: variation.id,
      parentRef: null,
      title: variations.length === 1 || !variationName ? itemName : `${itemName} — ${variationName}`,
      sku: data?.sku || null,
      barcode: data?.upc || null,
      price: decimalFromMoney(data?.priceMoney),
    }];
  });
}

/** OPEN (and DRAFT) still hold stock; COMPLETED means paid and handed over; CANCELED releases it. */
function statusFromState(state: string | undefined): UpstreamOrderStatus {
  if (state === 'CANCELED') return 'cancelled';
  if (state === 'COMPLETED') return 'fulfilled';
  return 'open';
}

function lineFromSquare(line: Square.OrderLineItem, index: number): UpstreamOrderLine {
  // "Regular" is the name Square gives the only variation of a simple item; it says nothing.
  const variation = line.variationName === 'Regular' ? null : line.variationName;
  const title = [line.name, variation].filter(Boolean).join(' — ');
  return {
    lineRef: line.uid ?? `line-${index}`,
    variantRef: line.catalogObjectId ?? null,
    sku: null,
    title,
    qty: thousandthsFromDecimal(line.quantity),
    unitPrice: decimalFromMoney(line.basePriceMoney) ?? '0',
  };
}

/**
 * Square records a return on the order that carries it, naming the sale line it returns
 * (`source_line_item_uid`). It does not record whether the units went back on the shelf (that is
 * a separate inventory adjustment in Square), so a Square return is reported as restocked: the
 * units came back to the seller, and Stockroom's return puts them where a person can count them.
 */
function refundFromReturn(orderReturn: Square.OrderReturn, index: number): UpstreamRefund {
  return {
    refundRef: orderReturn.uid ?? `return-${index}`,
    lines: (orderReturn.returnLineItems ?? []).flatMap((line) =>
      line.sourceLineItemUid ? [{ lineRef: line.sourceLineItemUid, qty: thousandthsFromDecimal(line.quantity), restock: true }] : [],
    ),
  };
}

export function orderFromSquare(order: Square.Order): UpstreamOrder {
  if (!order.id) throw new Error('Square order without an id');
  const currency = order.totalMoney?.currency ?? order.lineItems?.[0]?.basePriceMoney?.currency ?? 'USD';
  return {
    orderRef: order.id,
    name: order.ticketName || order.referenceId || `#${order.id.slice(0, 8)}`,
    status: statusFromState(order.state),
    version: order.version ?? 0,
    currency,
    createdAt: order.createdAt ? Date.parse(order.createdAt) : 0,
    lines: (order.lineItems ?? []).map(lineFromSquare),
    refunds: (order.returns ?? []).map(refundFromReturn),
  };
}
