/**
 * WooCommerce resources reduced to the adapter's platform-neutral shapes. Pure functions.
 *
 * A variation is addressed as `parentId:variationId` because Woo only updates a variation's
 * stock under its parent (`/products/{parent}/variations/batch`) and the core hands `setLevels`
 * nothing but the ref; a simple product is its own id.
 */
import type { UpstreamOrder, UpstreamOrderLine, UpstreamOrderStatus, UpstreamRefund, UpstreamVariant } from '../adapter.ts';
import type { WooLineItem, WooOrder, WooProduct, WooRefund, WooVariation } from './woocommerce.types.ts';

export type WooRef = { kind: 'product'; productId: number } | { kind: 'variation'; productId: number; variationId: number };

export function parseWooRef(ref: string): WooRef | null {
  const match = /^(\d+)(?::(\d+))?$/.exec(ref);
  if (!match) return null;
  const productId = Number(match[1]);
  return match[2] === undefined ? { kind: 'product', productId } : { kind: 'variation', productId, variationId: Number(match[2]) };
}

export function variationRef(productId: number, variationId: number): string {
  return `${productId}:${variationId}`;
}

/** Woo writes GMT times without a zone ("2026-03-01T10:00:00"); they are UTC. */
export function epochFromWooGmt(text: string): number {
  const at = Date.parse(/Z|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(at)) throw new Error(`WooCommerce time "${text}" is not a date`);
  return at;
}

/** Stock in Woo is whole units; a fraction left over is not shown, so upstream never sells what is not there. */
export function wooStockFromThousandths(qty: number): number {
  return Math.floor(Math.max(0, qty) / 1000);
}

export function variantFromProduct(product: WooProduct): UpstreamVariant {
  return { ref: String(product.id), parentRef: null, title: product.name, sku: product.sku || null, barcode: product.global_unique_id || null, price: product.price || null };
}

export function variantFromVariation(product: WooProduct, variation: WooVariation): UpstreamVariant {
  const options = (variation.attributes ?? []).map((attribute) => attribute.option).filter(Boolean).join(', ');
  return {
    ref: variationRef(product.id, variation.id),
    parentRef: String(product.id),
    title: variation.name || (options ? `${product.name} — ${options}` : product.name),
    sku: variation.sku || null,
    barcode: variation.global_unique_id || null,
    price: variation.price || null,
  };
}

/**
 * Woo's order statuses. `refunded` is reached only through refunds, whose lines arrive as returns,
 * so it is treated as handed over and then returned; `trash` is an order deleted in the admin.
 */
const STATUS_BY_WOO: Record<string, UpstreamOrderStatus> = {
  pending: 'open',
  processing: 'open',
  'on-hold': 'open',
  'checkout-draft': 'open',
  completed: 'fulfilled',
  refunded: 'fulfilled',
  cancelled: 'cancelled',
  failed: 'cancelled',
  trash: 'cancelled',
};

function lineFromWoo(line: WooLineItem): UpstreamOrderLine {
  if (!Number.isSafeInteger(line.quantity) || line.quantity < 0) throw new Error(`WooCommerce line ${line.id} has quantity ${String(line.quantity)}`);
  const variantRef = line.variation_id ? variationRef(line.product_id, line.variation_id) : line.product_id ? String(line.product_id) : null;
  return { lineRef: String(line.id), variantRef, sku: line.sku || null, title: line.name, qty: line.quantity * 1000, unitPrice: String(line.price) };
}

function metaNumber(meta: WooLineItem['meta_data'], key: string): number {
  const value = Number(meta.find((entry) => entry.key === key)?.value ?? 0);
  return Number.isFinite(value) ? value : 0;
}

/**
 * Woo's refunds name the order line they refund in `_refunded_item_id`, but say nothing of
 * restocking; the order line keeps the running total restocked (`_restock_refunded_items`). That
 * total is handed out to the line's refunds oldest first, splitting a refund line when only part
 * of it went back on the shelf.
 */
export function refundsFromWoo(order: WooOrder, refunds: readonly WooRefund[]): UpstreamRefund[] {
  const restockLeft = new Map(order.line_items.map((line) => [String(line.id), metaNumber(line.meta_data, '_restock_refunded_items')]));
  const oldestFirst = [...refunds].sort((a, b) => epochFromWooGmt(a.date_created_gmt) - epochFromWooGmt(b.date_created_gmt) || a.id - b.id);
  return oldestFirst.map((refund) => ({
    refundRef: String(refund.id),
    lines: refund.line_items.flatMap((line) => {
      const lineRef = String(line.meta_data.find((entry) => entry.key === '_refunded_item_id')?.value ?? '');
      const units = Math.abs(line.quantity);
      if (!lineRef || units === 0) return [];
      const restocked = Math.min(units, restockLeft.get(lineRef) ?? 0);
      restockLeft.set(lineRef, (restockLeft.get(lineRef) ?? 0) - restocked);
      return [
        ...(restocked > 0 ? [{ lineRef, qty: restocked * 1000, restock: true }] : []),
        ...(units > restocked ? [{ lineRef, qty: (units - restocked) * 1000, restock: false }] : []),
      ];
    }),
  }));
}

export function orderFromWoo(order: WooOrder, refunds: readonly WooRefund[]): UpstreamOrder {
  return {
    orderRef: String(order.id),
    name: `#${order.number || order.id}`,
    status: STATUS_BY_WOO[order.status] ?? 'open',
    version: epochFromWooGmt(order.date_modified_gmt),
    currency: order.currency,
    createdAt: epochFromWooGmt(order.date_created_gmt),
    lines: order.line_items.map(lineFromWoo),
    refunds: refundsFromWoo(order, refunds),
  };
}
