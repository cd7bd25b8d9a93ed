/**
 * A local fake of the Square Connect API v2, the subset the Square connector uses, following
 * Square API version 2026-09-16 (the `Square-Version` the square@46 SDK sends). Payloads are
 * modelled on Square's documented examples (snake_case JSON, money as integer minor units,
 * quantities as decimal strings):
 *
 * - `GET /v2/locations`
 * - `GET /v2/catalog/list?types=ITEM[,ITEM_VARIATION]&cursor=` — 100 objects a page, opaque cursor
 * - `POST /v2/orders/search` (updated_at / created_at filter, sort field must match), `GET /v2/orders/{id}`,
 *   `POST /v2/orders/batch-retrieve`
 * - `POST /v2/inventory/changes/batch-create` (PHYSICAL_COUNT, ≤100 changes, idempotency_key replay)
 * - `POST /v2/inventory/counts/batch-retrieve` (cursor paging)
 *
 * Every call needs `Authorization: Bearer <access token>`; a throttled call answers 429
 * RATE_LIMITED with Retry-After. Webhooks (`order.created`, `order.updated`,
 * `order.fulfillment.updated`) carry the partial order Square sends (id, state, version) and are
 * signed as Square documents: base64 HMAC-SHA256 of notification URL + body with the signature key.
 *
 * One simplification, on purpose: Square records a refund's returned items on a separate return
 * order pointing at the sale (`returns[].source_order_id`); the fake puts that `returns` entry on the
 * sale order itself, so one order fetch shows the whole story the connector needs.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FakeOrderLineInput, FakeProductInput, FakeStore, FakeWebhookDelivery } from './fake-store.ts';
import { HttpFakeStore, parseJson, retryAfterSeconds, type FakeRequest, type FakeResponse } from './platform-http-fake.ts';

export const SQUARE_FAKE_API_VERSION = '2026-09-16';
const CATALOG_PAGE_SIZE = 100;
const CHANGES_PER_BATCH_MAX = 100;
const CURRENCY = 'USD';

interface Variation { id: string; itemId: string; name: string; sku: string | null; upc: string | null; priceCents: number; version: number }
interface Item { id: string; name: string; variationIds: string[]; version: number; updatedAt: string }
interface Line { uid: string; catalogObjectId: string; quantity: number; priceCents: number }
interface ReturnLine { uid: string; sourceUid: string; catalogObjectId: string; quantity: number; priceCents: number }
interface Order {
  id: string;
  referenceId: string;
  state: 'OPEN' | 'COMPLETED' | 'CANCELED';
  version: number;
  createdAt: string;
  updatedAt: string;
  lines: Line[];
  fulfilmentUid: string;
  fulfilmentState: 'PROPOSED' | 'COMPLETED' | 'CANCELED';
  returns: Array<{ uid: string; lines: ReturnLine[] }>;
}

type ApiError = { category: string; code: string; detail: string; field?: string };

function squareId(length = 22): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function cents(price: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(price);
  if (!match) throw new Error(`price "${price}" is not a decimal with at most two places`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function money(amount: number) {
  return { amount, currency: CURRENCY };
}

function failure(status: number, errors: ApiError[]): FakeResponse {
  return { status, body: { errors } };
}

function invalid(detail: string, field?: string, code = 'INVALID_VALUE'): FakeResponse {
  return failure(400, [{ category: 'INVALID_REQUEST_ERROR', code, detail, ...(field ? { field } : {}) }]);
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string | null | undefined): number | null {
  if (!cursor) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : null;
}

/** Square quantities: decimal strings of thousandths held as integers here. */
function quantityText(thousandths: number): string {
  const abs = Math.abs(thousandths);
  const fraction = String(abs % 1000).padStart(3, '0').replace(/0+$/, '');
  return `${thousandths < 0 ? '-' : ''}${Math.trunc(abs / 1000)}${fraction ? `.${fraction}` : ''}`;
}

function thousandths(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = /^(\d+)(?:\.(\d{1,3}))?$/.exec(text);
  return match ? Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0')) : null;
}

export interface SquareFakeOptions {
  /** The fake's clock (epoch ms); tests move it to make orders look older or newer. */
  now?: () => number;
}

export class SquareFake extends HttpFakeStore implements FakeStore {
  readonly credentials: Record<string, string>;
  readonly locationId = `L${squareId(12)}`;
  readonly merchantId = squareId(13);
  private readonly now: () => number;
  private readonly items = new Map<string, Item>();
  private readonly variations = new Map<string, Variation>();
  /** IN_STOCK at the one location, thousandths. */
  private readonly inStock = new Map<string, number>();
  private readonly orders = new Map<string, Order>();
  private readonly idempotency = new Map<string, { fingerprint: string; response: FakeResponse }>();
  private notificationUrl = 'https://stockroom.invalid/webhooks/square';
  private orderSequence = 1000;

  private constructor(options: SquareFakeOptions) {
    super((retryAfterMs) => ({
      status: 429,
      headers: { 'retry-after': retryAfterSeconds(retryAfterMs) },
      body: { errors: [{ category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED', detail: 'Rate limit exceeded.' }] },
    }));
    this.now = options.now ?? Date.now;
    this.credentials = { accessToken: `EAAA${squareId(40)}`, locationIds: this.locationId, webhookSignatureKey: squareId(22) };
  }

  static async start(options: SquareFakeOptions = {}): Promise<SquareFake> {
    const fake = new SquareFake(options);
    await fake.http.listen();
    return fake;
  }

  /** The request bodies of every inventory batch-create, for asserting batching and keys. */
  readonly inventoryBatches: Array<{ idempotencyKey: string; changes: number; replayed: boolean }> = [];

  addProduct(input: FakeProductInput): string {
    const item: Item = { id: squareId(), name: input.title, variationIds: [], version: 1, updatedAt: this.iso() };
    const variation: Variation = { id: squareId(), itemId: item.id, name: 'Regular', sku: input.sku, upc: input.barcode, priceCents: cents(input.price), version: 1 };
    item.variationIds.push(variation.id);
    this.items.set(item.id, item);
    this.variations.set(variation.id, variation);
    this.inStock.set(variation.id, input.stock * 1000);
    return variation.id;
  }

  /** An item with several variations (sizes, colours); returns the variation ids in order. */
  addItemWithVariations(name: string, variations: Array<FakeProductInput & { variationName: string }>): string[] {
    const item: Item = { id: squareId(), name, variationIds: [], version: 1, updatedAt: this.iso() };
    this.items.set(item.id, item);
    return variations.map((input) => {
      const variation: Variation = { id: squareId(), itemId: item.id, name: input.variationName, sku: input.sku, upc: input.barcode, priceCents: cents(input.price), version: 1 };
      item.variationIds.push(variation.id);
      this.variations.set(variation.id, variation);
      this.inStock.set(variation.id, input.stock * 1000);
      return variation.id;
    });
  }

  setNotificationUrl(url: string): void {
    this.notificationUrl = url;
  }

  createOrder(lines: FakeOrderLineInput[]): string {
    const at = this.iso();
    const order: Order = {
      id: squareId(), referenceId: String(++this.orderSequence), state: 'OPEN', version: 1, createdAt: at, updatedAt: at,
      lines: lines.map((line) => this.newLine(line)), fulfilmentUid: squareId(), fulfilmentState: 'PROPOSED', returns: [],
    };
    this.orders.set(order.id, order);
    for (const line of order.lines) this.moveStock(line.catalogObjectId, -line.quantity);
    this.queueOrderEvent('order.created', order);
    return order.id;
  }

  /** Lines selling a variant the order already sold keep their uid, as Square keeps a line's uid across updates. */
  updateOrderLines(orderRef: string, lines: FakeOrderLineInput[]): void {
    const order = this.order(orderRef);
    for (const line of order.lines) this.moveStock(line.catalogObjectId, line.quantity);
    const previous = new Map(order.lines.map((line) => [line.catalogObjectId, line.uid]));
    order.lines = lines.map((input) => ({ ...this.newLine(input), uid: previous.get(input.variantRef) ?? squareId() }));
    for (const line of order.lines) this.moveStock(line.catalogObjectId, -line.quantity);
    this.touch(order);
    this.queueOrderEvent('order.updated', order);
  }

  cancelOrder(orderRef: string): void {
    const order = this.order(orderRef);
    if (order.state === 'CANCELED') return;
    for (const line of order.lines) this.moveStock(line.catalogObjectId, line.quantity);
    order.state = 'CANCELED';
    order.fulfilmentState = 'CANCELED';
    this.touch(order);
    this.queueOrderEvent('order.updated', order);
  }

  fulfilOrder(orderRef: string): void {
    const order = this.order(orderRef);
    const oldState = order.fulfilmentState;
    order.fulfilmentState = 'COMPLETED';
    order.state = 'COMPLETED';
    this.touch(order);
    this.queueOrderEvent('order.fulfillment.updated', order, { fulfillment_update: [{ fulfillment_uid: order.fulfilmentUid, old_state: oldState, new_state: 'COMPLETED' }] });
  }

  refund(orderRef: string, lines: Array<{ index: number; quantity: number; restock: boolean }>): void {
    const order = this.order(orderRef);
    const returned = lines.map(({ index, quantity, restock }) => {
      const line = order.lines[index];
      if (!line) throw new Error(`order ${orderRef} has no line ${index}`);
      if (restock) this.moveStock(line.catalogObjectId, quantity * 1000);
      return { uid: squareId(), sourceUid: line.uid, catalogObjectId: line.catalogObjectId, quantity: quantity * 1000, priceCents: line.priceCents };
    });
    order.returns.push({ uid: squareId(), lines: returned });
    this.touch(order);
    this.queueOrderEvent('order.updated', order);
  }

  /** Units (not thousandths) IN_STOCK at the location; Square counts may be fractional. */
  levelOf(variantRef: string): number {
    return (this.inStock.get(variantRef) ?? 0) / 1000;
  }

  // ---- state helpers ----

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private order(orderRef: string): Order {
    const order = this.orders.get(orderRef);
    if (!order) throw new Error(`no Square order ${orderRef}`);
    return order;
  }

  private newLine(input: FakeOrderLineInput): Line {
    if (!this.variations.has(input.variantRef)) throw new Error(`no Square variation ${input.variantRef}`);
    return { uid: squareId(), catalogObjectId: input.variantRef, quantity: input.quantity * 1000, priceCents: cents(input.price) };
  }

  private moveStock(variationId: string, delta: number): void {
    this.inStock.set(variationId, (this.inStock.get(variationId) ?? 0) + delta);
  }

  private touch(order: Order): void {
    order.version += 1;
    order.updatedAt = this.iso();
  }

  // ---- webhooks ----

  private queueOrderEvent(type: string, order: Order, extra: Record<string, unknown> = {}): void {
    const objectKey = type.replace(/^order\./, 'order_').replace(/\./g, '_');
    const body = JSON.stringify({
      merchant_id: this.merchantId,
      type,
      event_id: randomUUID(),
      created_at: this.iso(),
      data: {
        type: 'order',
        id: order.id,
        object: {
          [objectKey]: {
            created_at: order.createdAt, location_id: this.locationId, order_id: order.id,
            state: order.state, updated_at: order.updatedAt, version: order.version, ...extra,
          },
        },
      },
    });
    const signature = createHmac('sha256', this.credentials.webhookSignatureKey!).update(this.notificationUrl + body).digest('base64');
    this.queued.push({
      headers: {
        'content-type': 'application/json',
        'x-square-hmacsha256-signature': signature,
        'square-initial-delivery-timestamp': this.iso(),
        'square-version': SQUARE_FAKE_API_VERSION,
      },
      body,
    });
  }

  // ---- HTTP API ----

  protected route(request: FakeRequest): FakeResponse {
    if (request.headers.authorization !== `Bearer ${this.credentials.accessToken}`) {
      return failure(401, [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'This request could not be authorized.' }]);
    }
    const { method, path } = request;
    const body = method === 'POST' ? parseJson(request.body) : undefined;
    if (method === 'POST' && (body === undefined || body === null || typeof body !== 'object')) return invalid('The request body is not valid JSON.', undefined, 'INVALID_CONTENT_TYPE');
    const json = (body ?? {}) as Record<string, unknown>;
    if (method === 'GET' && path === '/v2/locations') return this.listLocations();
    if (method === 'GET' && path === '/v2/catalog/list') return this.listCatalog(request.query);
    if (method === 'POST' && path === '/v2/orders/search') return this.searchOrders(json);
    if (method === 'POST' && path === '/v2/orders/batch-retrieve') return this.batchRetrieveOrders(json);
    if (method === 'POST' && path === '/v2/inventory/changes/batch-create') return this.batchCreateChanges(json);
    if (method === 'POST' && path === '/v2/inventory/counts/batch-retrieve') return this.batchRetrieveCounts(json);
    const orderMatch = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (method === 'GET' && orderMatch) return this.retrieveOrder(decodeURIComponent(orderMatch[1]!));
    return failure(404, [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: `The fake does not serve ${method} ${path}.` }]);
  }

  private listLocations(): FakeResponse {
    return {
      status: 200,
      body: {
        locations: [{
          id: this.locationId, name: 'Main Street', business_name: 'Fake Square Shop', status: 'ACTIVE', country: 'US',
          currency: CURRENCY, timezone: 'America/Los_Angeles', merchant_id: this.merchantId, type: 'PHYSICAL', capabilities: ['CREDIT_CARD_PROCESSING'],
        }],
      },
    };
  }

  private variationJson(variation: Variation) {
    return {
      type: 'ITEM_VARIATION', id: variation.id, version: variation.version, is_deleted: false, present_at_all_locations: true,
      item_variation_data: {
        item_id: variation.itemId, name: variation.name, sku: variation.sku ?? undefined, upc: variation.upc ?? undefined,
        ordinal: 0, pricing_type: 'FIXED_PRICING', price_money: money(variation.priceCents), track_inventory: true, sellable: true, stockable: true,
      },
    };
  }

  private itemJson(item: Item) {
    return {
      type: 'ITEM', id: item.id, updated_at: item.updatedAt, version: item.version, is_deleted: false, present_at_all_locations: true,
      item_data: { name: item.name, product_type: 'REGULAR', variations: item.variationIds.map((id) => this.variationJson(this.variations.get(id)!)) },
    };
  }

  private listCatalog(query: URLSearchParams): FakeResponse {
    const types = (query.get('types') ?? 'ITEM,ITEM_VARIATION').split(',').map((type) => type.trim().toUpperCase());
    const objects: unknown[] = [];
    for (const item of this.items.values()) {
      if (types.includes('ITEM')) objects.push(this.itemJson(item));
      if (types.includes('ITEM_VARIATION')) for (const id of item.variationIds) objects.push(this.variationJson(this.variations.get(id)!));
    }
    const offset = decodeCursor(query.get('cursor'));
    if (offset === null) return invalid('Invalid cursor.', 'cursor', 'INVALID_CURSOR');
    const page = objects.slice(offset, offset + CATALOG_PAGE_SIZE);
    const next = offset + CATALOG_PAGE_SIZE < objects.length ? encodeCursor(offset + CATALOG_PAGE_SIZE) : undefined;
    return { status: 200, body: { objects: page, ...(next ? { cursor: next } : {}) } };
  }

  private orderJson(order: Order) {
    const total = order.lines.reduce((sum, line) => sum + (line.priceCents * line.quantity) / 1000, 0);
    return {
      id: order.id, location_id: this.locationId, reference_id: order.referenceId, source: { name: 'Fake Square Online' },
      state: order.state, version: order.version, created_at: order.createdAt, updated_at: order.updatedAt,
      line_items: order.lines.map((line) => {
        const variation = this.variations.get(line.catalogObjectId)!;
        return {
          uid: line.uid, catalog_object_id: line.catalogObjectId, catalog_version: variation.version, quantity: quantityText(line.quantity),
          name: this.items.get(variation.itemId)!.name, variation_name: variation.name, item_type: 'ITEM',
          base_price_money: money(line.priceCents), gross_sales_money: money((line.priceCents * line.quantity) / 1000), total_money: money((line.priceCents * line.quantity) / 1000),
        };
      }),
      fulfillments: [{ uid: order.fulfilmentUid, type: 'SHIPMENT', state: order.fulfilmentState }],
      returns: order.returns.map((orderReturn) => ({
        uid: orderReturn.uid, source_order_id: order.id,
        return_line_items: orderReturn.lines.map((line) => ({
          uid: line.uid, source_line_item_uid: line.sourceUid, catalog_object_id: line.catalogObjectId, quantity: quantityText(line.quantity),
          item_type: 'ITEM', base_price_money: money(line.priceCents),
        })),
      })),
      total_money: money(total),
    };
  }

  private retrieveOrder(id: string): FakeResponse {
    const order = this.orders.get(id);
    if (!order) return failure(404, [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: `Order ${id} not found.` }]);
    return { status: 200, body: { order: this.orderJson(order) } };
  }

  private batchRetrieveOrders(body: Record<string, unknown>): FakeResponse {
    const ids = Array.isArray(body.order_ids) ? body.order_ids.filter((id): id is string => typeof id === 'string') : [];
    if (ids.length === 0 || ids.length > 100) return invalid('order_ids must name 1 to 100 orders.', 'order_ids');
    return { status: 200, body: { orders: ids.flatMap((id) => (this.orders.has(id) ? [this.orderJson(this.orders.get(id)!)] : [])) } };
  }

  private searchOrders(body: Record<string, unknown>): FakeResponse {
    const locations = Array.isArray(body.location_ids) ? body.location_ids : [];
    if (locations.length === 0) return invalid('location_ids is required.', 'location_ids', 'MISSING_REQUIRED_PARAMETER');
    const query = (body.query ?? {}) as { filter?: { date_time_filter?: Record<string, { start_at?: string; end_at?: string }> }; sort?: { sort_field?: string; sort_order?: string } };
    const timeFilters = query.filter?.date_time_filter ?? {};
    const [filterField] = Object.keys(timeFilters);
    const sortField = query.sort?.sort_field ?? 'CREATED_AT';
    if (filterField && filterField.toUpperCase() !== sortField) return invalid(`The sort field must be ${filterField.toUpperCase()} when filtering on it.`, 'query.sort.sort_field');
    const limit = typeof body.limit === 'number' ? body.limit : 500;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return invalid('limit must be between 1 and 1000.', 'limit');
    const offset = decodeCursor(typeof body.cursor === 'string' ? body.cursor : null);
    if (offset === null) return invalid('Invalid cursor.', 'cursor', 'INVALID_CURSOR');
    const field = sortField === 'UPDATED_AT' ? 'updatedAt' : 'createdAt';
    const range = filterField ? timeFilters[filterField]! : {};
    const start = range.start_at ? Date.parse(range.start_at) : -Infinity;
    const end = range.end_at ? Date.parse(range.end_at) : Infinity;
    const matching = [...this.orders.values()]
      .filter((order) => locations.includes(this.locationId) && Date.parse(order[field]) >= start && Date.parse(order[field]) < end)
      .sort((a, b) => Date.parse(a[field]) - Date.parse(b[field]));
    if (query.sort?.sort_order === 'DESC') matching.reverse();
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? encodeCursor(offset + limit) : undefined;
    return { status: 200, body: { orders: page.map((order) => this.orderJson(order)), ...(next ? { cursor: next } : {}) } };
  }

  private batchCreateChanges(body: Record<string, unknown>): FakeResponse {
    const key = body.idempotency_key;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) return invalid('idempotency_key must be 1 to 128 characters.', 'idempotency_key');
    const changes = Array.isArray(body.changes) ? (body.changes as Array<Record<string, unknown>>) : [];
    if (changes.length < 1 || changes.length > CHANGES_PER_BATCH_MAX) return invalid(`changes must hold 1 to ${CHANGES_PER_BATCH_MAX} changes.`, 'changes');
    // Square compares what a change does, not when the client says it happened.
    const fingerprint = JSON.stringify(changes.map((change) => {
      const count = (change.physical_count ?? {}) as Record<string, unknown>;
      return [change.type, count.catalog_object_id, count.location_id, count.state, count.quantity];
    }));
    const earlier = this.idempotency.get(key);
    if (earlier) {
      this.inventoryBatches.push({ idempotencyKey: key, changes: changes.length, replayed: true });
      return earlier.fingerprint === fingerprint ? earlier.response : invalid('The idempotency key was used for a different request.', 'idempotency_key', 'IDEMPOTENCY_KEY_REUSED');
    }
    const refusal = this.validateChanges(changes);
    if (refusal) return refusal;
    this.inventoryBatches.push({ idempotencyKey: key, changes: changes.length, replayed: false });
    const at = this.iso();
    const counts = changes.map((change) => {
      const count = change.physical_count as Record<string, string>;
      this.inStock.set(count.catalog_object_id!, thousandths(count.quantity)!);
      return { catalog_object_id: count.catalog_object_id, catalog_object_type: 'ITEM_VARIATION', state: 'IN_STOCK', location_id: this.locationId, quantity: count.quantity, calculated_at: at };
    });
    const response: FakeResponse = {
      status: 200,
      body: { counts, changes: changes.map((change) => ({ ...change, physical_count: { ...(change.physical_count as object), id: squareId(), created_at: at } })) },
    };
    this.idempotency.set(key, { fingerprint, response });
    return response;
  }

  /** Square refuses the whole batch, naming each bad change. */
  private validateChanges(changes: Array<Record<string, unknown>>): FakeResponse | null {
    const errors: ApiError[] = [];
    changes.forEach((change, index) => {
      const count = change.physical_count as Record<string, unknown> | undefined;
      if (change.type !== 'PHYSICAL_COUNT' || !count) {
        errors.push({ category: 'INVALID_REQUEST_ERROR', code: 'INVALID_VALUE', detail: 'The fake accepts PHYSICAL_COUNT changes only.', field: `changes[${index}].type` });
      } else if (typeof count.catalog_object_id !== 'string' || !this.variations.has(count.catalog_object_id)) {
        errors.push({ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: `Object ${String(count.catalog_object_id)} not found.`, field: `changes[${index}].physical_count.catalog_object_id` });
      } else if (count.location_id !== this.locationId) {
        errors.push({ category: 'INVALID_REQUEST_ERROR', code: 'INVALID_VALUE', detail: `Location ${String(count.location_id)} is not valid.`, field: `changes[${index}].physical_count.location_id` });
      } else if (count.state !== 'IN_STOCK' || thousandths(count.quantity) === null || typeof count.occurred_at !== 'string') {
        errors.push({ category: 'INVALID_REQUEST_ERROR', code: 'INVALID_VALUE', detail: 'A physical count needs state IN_STOCK, a decimal quantity and occurred_at.', field: `changes[${index}].physical_count` });
      }
    });
    return errors.length > 0 ? failure(400, errors) : null;
  }

  private batchRetrieveCounts(body: Record<string, unknown>): FakeResponse {
    const ids = Array.isArray(body.catalog_object_ids) ? (body.catalog_object_ids as string[]) : [...this.variations.keys()];
    const locations = Array.isArray(body.location_ids) ? (body.location_ids as string[]) : [this.locationId];
    const states = Array.isArray(body.states) ? (body.states as string[]) : ['IN_STOCK'];
    const limit = typeof body.limit === 'number' ? body.limit : 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return invalid('limit must be between 1 and 1000.', 'limit');
    const offset = decodeCursor(typeof body.cursor === 'string' ? body.cursor : null);
    if (offset === null) return invalid('Invalid cursor.', 'cursor', 'INVALID_CURSOR');
    const counts = !locations.includes(this.locationId) || !states.includes('IN_STOCK') ? [] : ids.flatMap((id) => {
      const quantity = this.inStock.get(id);
      return quantity === undefined ? [] : [{
        catalog_object_id: id, catalog_object_type: 'ITEM_VARIATION', state: 'IN_STOCK', location_id: this.locationId,
        quantity: quantityText(quantity), calculated_at: this.iso(),
      }];
    });
    const next = offset + limit < counts.length ? encodeCursor(offset + limit) : undefined;
    return { status: 200, body: { counts: counts.slice(offset, offset + limit), ...(next ? { cursor: next } : {}) } };
  }
}
