import type { UpstreamOrder, UpstreamOrderStatus } from '../adapter.ts';

/**
 * The GraphQL documents the Shopify adapter sends, and the two shapes an order arrives in: the
 * GraphQL Admin shape (polls and look-ups) and the REST-style JSON that webhooks carry. Both become
 * the same `UpstreamOrder`, with gids as references, so a webhook and a poll of one order agree.
 */

export const ORDER_FIELDS = `
  id name createdAt updatedAt cancelledAt displayFulfillmentStatus currencyCode
  lineItems(first: 250) { nodes { id sku title quantity variant { id } originalUnitPriceSet { shopMoney { amount } } } }
  refunds { id refundLineItems(first: 250) { nodes { lineItem { id } quantity restockType } } }
`;

export const SHOP_QUERY = `query StockroomShop { shop { name } }`;

export const VARIANTS_QUERY = `query StockroomVariants($first: Int!, $after: String) {
  productVariants(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id title sku barcode price product { title } inventoryItem { id } }
  }
}`;

export const ORDERS_QUERY = `query StockroomOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ${ORDER_FIELDS} }
  }
}`;

export const ORDER_QUERY = `query StockroomOrder($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

export const SET_QUANTITIES = `mutation StockroomSetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}`;

export const LEVELS_QUERY = `query StockroomLevels($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem { id inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } } }
  }
}`;

export interface GraphqlOrder {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  displayFulfillmentStatus: string;
  currencyCode: string;
  lineItems: { nodes: Array<{ id: string; sku: string | null; title: string; quantity: number; variant: { id: string } | null; originalUnitPriceSet: { shopMoney: { amount: string } } }> };
  refunds: Array<{ id: string; refundLineItems: { nodes: Array<{ lineItem: { id: string }; quantity: number; restockType: string }> } }>;
}

export interface WebhookOrder {
  id: number | string;
  name: string;
  created_at: string;
  updated_at: string;
  cancelled_at: string | null;
  fulfillment_status: string | null;
  currency: string;
  line_items: Array<{ id: number | string; variant_id: number | string | null; sku: string | null; title: string; quantity: number; price: string }>;
  refunds?: Array<{ id: number | string; refund_line_items: Array<{ line_item_id: number | string; quantity: number; restock_type: string }> }>;
}

const gid = (type: string, id: number | string) => (String(id).startsWith('gid://') ? String(id) : `gid://shopify/${type}/${id}`);

function statusOf(cancelledAt: string | null, fulfilled: boolean): UpstreamOrderStatus {
  if (cancelledAt) return 'cancelled';
  return fulfilled ? 'fulfilled' : 'open';
}

export function fromGraphqlOrder(o: GraphqlOrder): UpstreamOrder {
  return {
    orderRef: o.id,
    name: o.name,
    status: statusOf(o.cancelledAt, o.displayFulfillmentStatus === 'FULFILLED'),
    version: Date.parse(o.updatedAt),
    currency: o.currencyCode,
    createdAt: Date.parse(o.createdAt),
    lines: o.lineItems.nodes.map((l) => ({ lineRef: l.id, variantRef: l.variant?.id ?? null, sku: l.sku, title: l.title, qty: l.quantity * 1000, unitPrice: l.originalUnitPriceSet.shopMoney.amount })),
    refunds: o.refunds.map((r) => ({
      refundRef: r.id,
      lines: r.refundLineItems.nodes.map((l) => ({ lineRef: l.lineItem.id, qty: l.quantity * 1000, restock: l.restockType !== 'NO_RESTOCK' })),
    })),
  };
}

export function fromWebhookOrder(o: WebhookOrder): UpstreamOrder {
  return {
    orderRef: gid('Order', o.id),
    name: o.name,
    status: statusOf(o.cancelled_at, o.fulfillment_status === 'fulfilled'),
    version: Date.parse(o.updated_at),
    currency: o.currency,
    createdAt: Date.parse(o.created_at),
    lines: (o.line_items ?? []).map((l) => ({
      lineRef: gid('LineItem', l.id),
      variantRef: l.variant_id === null || l.variant_id === undefined ? null : gid('ProductVariant', l.variant_id),
      sku: l.sku,
      title: l.title,
      qty: l.quantity * 1000,
      unitPrice: l.price,
    })),
    refunds: (o.refunds ?? []).map((r) => ({
      refundRef: gid('Refund', r.id),
      lines: r.refund_line_items.map((l) => ({ lineRef: gid('LineItem', l.line_item_id), qty: l.quantity * 1000, restock: l.restock_type !== 'no_restock' })),
    })),
  };
}
