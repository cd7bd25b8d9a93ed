import { sql } from 'kysely';
import { inTransaction, reader, type ServiceContext } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db/dialect.ts';
import type { ItemRow, ProductRow } from '../../platform/db/schema.ts';
import type { Executor, Trx } from '../../platform/db/transaction.ts';
import type { FieldError } from '../../platform/errors.ts';
import { decodeCursor } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { createItem, updateItem } from './items.service.ts';
import { ProductError } from './products.errors.ts';
import {
  MAX_OPTIONS,
  MAX_VARIANTS,
  type AddOptionValueInput,
  type CreateProductInput,
  type ListProductsQuery,
  type SetRowPriceInput,
  type UpdateProductInput,
} from './products.schema.ts';

/**
 * Products group items as variants by up to three options. A variant is an ordinary item (its own
 * SKU, barcodes, price, stock and levels): everything that counts, sells or values stock keeps
 * reading items, and a product is only the grouping and the option matrix over them. Items that
 * belong to no product are single items (a product of one variant), left as they were.
 */

export interface ProductOption {
  name: string;
  values: string[];
}

export interface ProductVariant {
  item: ItemRow;
  options: string[];
}

export interface ProductView {
  product: ProductRow;
  options: ProductOption[];
  variants: ProductVariant[];
}

export function optionsOf(row: Pick<ProductRow, 'options_json'>): ProductOption[] {
  return JSON.parse(row.options_json) as ProductOption[];
}

/** A handle from a name: lower case, runs of anything else than letters and digits become one -. */
export function handleFromName(name: string): string {
  const handle = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
  return handle || 'product';
}

/** A variant SKU: the prefix and each value, squeezed to SKU characters (GLOVE-WOOL-M-RED). */
export function variantSku(prefix: string, values: readonly string[]): string {
  const parts = values.map((v) => v.toUpperCase().normalize('NFKD').replace(/[^A-Z0-9.]+/g, '-').replace(/^-+|-+$/g, ''));
  return [prefix, ...parts.filter(Boolean)].join('-').slice(0, 64);
}

function variantName(productName: string, values: readonly string[]): string {
  return `${productName} - ${values.join(' / ')}`.slice(0, 200);
}

/** Every combination of the options' values, the first option varying slowest (S/Red, S/Blue, M/Red…). */
export function optionMatrix(options: readonly ProductOption[]): string[][] {
  return options.reduce<string[][]>((rows, option) => rows.flatMap((row) => option.values.map((v) => [...row, v])), [[]]);
}

function assertOptionsValid(options: readonly ProductOption[]): void {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  options.forEach((option, i) => {
    const key = option.name.toLowerCase();
    if (names.has(key)) errors.push({ field: `body.options.${i}.name`, code: 'duplicate', message: `option ${option.name} is given twice` });
    names.add(key);
    const values = new Set<string>();
    option.values.forEach((value, j) => {
      if (values.has(value.toLowerCase())) errors.push({ field: `body.options.${i}.values.${j}`, code: 'duplicate', message: `${value} is given twice` });
      values.add(value.toLowerCase());
    });
  });
  if (errors.length) throw new ProductError('product_option_invalid', 'Each option needs its own name and each value its own text.', { errors });
}

/** Values padded to three ('' for options the product does not have), the shape product_variants stores. */
function paddedValues(values: readonly string[]): [string, string, string] {
  return [values[0] ?? '', values[1] ?? '', values[2] ?? ''];
}

async function findProductRow(db: Executor, id: string): Promise<ProductRow | undefined> {
  return db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findProductByHandle(db: Executor, handle: string): Promise<ProductRow | undefined> {
  return db.selectFrom('products').selectAll().where('handle_key', '=', handle.toLowerCase()).executeTakeFirst();
}

async function loadVariants(db: Executor, productIds: readonly string[]): Promise<Map<string, ProductVariant[]>> {
  const byProduct = new Map<string, ProductVariant[]>();
  if (productIds.length === 0) return byProduct;
  const rows = await db
    .selectFrom('product_variants as v')
    .innerJoin('items as i', 'i.id', 'v.item_id')
    .selectAll('i')
    .select(['v.product_id', 'v.option1', 'v.option2', 'v.option3', 'v.position'])
    .where('v.product_id', 'in', productIds)
    .orderBy('v.product_id')
    .orderBy('v.position')
    .orderBy('i.id')
    .execute();
  for (const row of rows) {
    const { product_id, option1, option2, option3, position: _position, ...item } = row;
    const variants = byProduct.get(product_id) ?? [];
    variants.push({ item, options: [option1, option2, option3].filter((v) => v !== '') });
    byProduct.set(product_id, variants);
  }
  return byProduct;
}

async function viewOf(db: Executor, product: ProductRow): Promise<ProductView> {
  const variants = (await loadVariants(db, [product.id])).get(product.id) ?? [];
  return { product, options: optionsOf(product), variants };
}

export async function getProduct(ctx: ServiceContext, id: string): Promise<ProductView> {
  const db = reader(ctx);
  const product = await findProductRow(db, id);
  if (!product) throw new ProductError('product_not_found', `No product ${id}.`, { extra: { product_id: id } });
  return viewOf(db, product);
}

/** The product an item is a variant of, if any. */
export async function productOfItem(db: Executor, itemId: string): Promise<{ productId: string; options: string[] } | undefined> {
  const row = await db.selectFrom('product_variants').selectAll().where('item_id', '=', itemId).executeTakeFirst();
  return row ? { productId: row.product_id, options: [row.option1, row.option2, row.option3].filter((v) => v !== '') } : undefined;
}

export async function listProducts(ctx: ServiceContext, query: ListProductsQuery): Promise<{ views: ProductView[]; more: boolean }> {
  const db = reader(ctx);
  let q = db.selectFrom('products').selectAll();
  if (query.q) {
    const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([sql<boolean>`lower(name) like ${pattern} escape '\\'`, sql<boolean>`handle_key like ${pattern} escape '\\'`]));
  }
  const after = decodeCursor(query.cursor, ['string', 'string']);
  if (after) q = q.where((eb) => eb.or([eb('name', '>', after[0] as string), eb.and([eb('name', '=', after[0] as string), eb('id', '>', after[1] as string)])]));
  const rows = await q.orderBy('name').orderBy('id').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  const variants = await loadVariants(db, page.map((p) => p.id));
  return { views: page.map((product) => ({ product, options: optionsOf(product), variants: variants.get(product.id) ?? [] })), more: rows.length > query.limit };
}

async function insertProduct(trx: Trx, ctx: ServiceContext, fields: { handle: string; name: string; description: string | null; category: string | null; options: ProductOption[] }): Promise<ProductRow> {
  const now = ctx.clock.now();
  const id = newId('pdt', now);
  if (await findProductByHandle(trx, fields.handle)) {
    throw new ProductError('product_handle_taken', `A product with the handle ${fields.handle} already exists.`, { extra: { handle: fields.handle } });
  }
  try {
    await trx
      .insertInto('products')
      .values({
        id,
        handle: fields.handle,
        handle_key: fields.handle.toLowerCase(),
        name: fields.name,
        description: fields.description,
        category: fields.category,
        options_json: JSON.stringify(fields.options),
        status: 'active',
        created_at: now,
        updated_at: now,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ProductError('product_handle_taken', `A product with the handle ${fields.handle} already exists.`);
    throw error;
  }
  return (await findProductRow(trx, id))!;
}

/** Links an item to a product as the variant with these values; the values must be the product's. */
async function linkVariant(trx: Trx, productId: string, itemId: string, values: readonly string[], position: number): Promise<void> {
  const [option1, option2, option3] = paddedValues(values);
  try {
    await trx.insertInto('product_variants').values({ item_id: itemId, product_id: productId, option1, option2, option3, position }).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ProductError('variant_exists', `The product already has the variant ${values.join(' / ')}.`, { extra: { options: values } });
    throw error;
  }
}

interface NewVariant {
  values: string[];
  sku: string;
  price: number | null;
  barcodes: string[];
}

async function createVariants(ctx: ServiceContext, trx: Trx, product: ProductRow, baseUnit: string, variants: readonly NewVariant[], firstPosition: number): Promise<void> {
  const inner = { ...ctx, trx };
  for (const [i, variant] of variants.entries()) {
    const item = await createItem(inner, {
      sku: variant.sku,
      name: variantName(product.name, variant.values),
      description: product.description,
      category: product.category,
      base_unit: baseUnit,
      tracking: 'none',
      tracks_expiry: false,
      costing_method: 'fifo',
      price: variant.price,
      stocked: true,
      units: [],
      barcodes: variant.barcodes,
      components: [],
    });
    await linkVariant(trx, product.id, item.id, variant.values, firstPosition + i);
  }
}

function assertVariantValues(options: readonly ProductOption[], values: readonly string[], field: string): void {
  if (values.length !== options.length) {
    throw new ProductError('product_option_invalid', `A variant needs one value for each of the ${options.length} options.`, {
      errors: [{ field, code: 'count', message: `give ${options.length} values` }],
    });
  }
  values.forEach((value, i) => {
    if (!options[i]!.values.includes(value)) {
      throw new ProductError('product_option_invalid', `${value} is not a value of ${options[i]!.name}.`, { errors: [{ field: `${field}.${i}`, code: 'unknown_value', message: `add ${value} to ${options[i]!.name} first` }] });
    }
  });
}

export async function createProduct(ctx: ServiceContext, input: CreateProductInput): Promise<ProductView> {
  assertOptionsValid(input.options);
  const handle = input.handle ?? handleFromName(input.name);
  const prefix = input.sku_prefix ?? handle.toUpperCase();
  const variants: NewVariant[] = input.variants
    ? input.variants.map((v) => ({ values: v.options, sku: v.sku ?? variantSku(prefix, v.options), price: v.price ?? input.price ?? null, barcodes: v.barcodes ?? [] }))
    : optionMatrix(input.options).map((values) => ({ values, sku: variantSku(prefix, values), price: input.price ?? null, barcodes: [] }));
  if (variants.length > MAX_VARIANTS) throw new ProductError('variant_limit', `A product has at most ${MAX_VARIANTS} variants; these options make ${variants.length}.`);
  variants.forEach((v, i) => assertVariantValues(input.options, v.values, `body.variants.${i}.options`));
  return inTransaction(ctx, async (trx) => {
    const product = await insertProduct(trx, ctx, { handle, name: input.name, description: input.description ?? null, category: input.category ?? null, options: input.options });
    await createVariants(ctx, trx, product, input.base_unit, variants, 0);
    return viewOf(trx, product);
  });
}

export async function updateProduct(ctx: ServiceContext, id: string, input: UpdateProductInput): Promise<ProductView> {
  return inTransaction(ctx, async (trx) => {
    const current = await findProductRow(trx, id);
    if (!current) throw new ProductError('product_not_found', `No product ${id}.`, { extra: { product_id: id } });
    const options = optionsOf(current);
    if (input.option_names) {
      if (input.option_names.length !== options.length) {
        throw new ProductError('product_option_invalid', `The product has ${options.length} options; name each of them.`, { errors: [{ field: 'body.option_names', code: 'count', message: `give ${options.length} names` }] });
      }
      input.option_names.forEach((name, i) => (options[i]!.name = name));
      assertOptionsValid(options);
    }
    if (input.handle && input.handle.toLowerCase() !== current.handle_key) {
      if (await findProductByHandle(trx, input.handle)) throw new ProductError('product_handle_taken', `A product with the handle ${input.handle} already exists.`);
    }
    await trx
      .updateTable('products')
      .set({
        name: input.name ?? current.name,
        handle: input.handle ?? current.handle,
        handle_key: (input.handle ?? current.handle).toLowerCase(),
        description: input.description !== undefined ? input.description : current.description,
        category: input.category !== undefined ? input.category : current.category,
        options_json: JSON.stringify(options),
        updated_at: ctx.clock.now(),
      })
      .where('id', '=', id)
      .execute();
    return viewOf(trx, (await findProductRow(trx, id))!);
  });
}

function optionIndex(options: readonly ProductOption[], name: string): number {
  const index = options.findIndex((o) => o.name.toLowerCase() === name.toLowerCase());
  if (index < 0) {
    throw new ProductError('product_option_invalid', `The product has no option ${name}.`, { errors: [{ field: 'body.option', code: 'unknown_option', message: `one of ${options.map((o) => o.name).join(', ')}` }] });
  }
  return index;
}

/**
 * Adds a value to one option and makes the variants it completes: one per combination of the
 * other options' values (a new size for every colour at once). A new variant takes the price of
 * the existing variant that differs from it only in this option, unless a price is given.
 */
export async function addOptionValue(ctx: ServiceContext, id: string, input: AddOptionValueInput): Promise<ProductView> {
  return inTransaction(ctx, async (trx) => {
    const view = await getProduct({ ...ctx, trx }, id);
    const options = view.options;
    const index = optionIndex(options, input.option);
    const option = options[index]!;
    if (option.values.some((v) => v.toLowerCase() === input.value.toLowerCase())) {
      throw new ProductError('product_option_invalid', `${option.name} already has the value ${input.value}.`, { errors: [{ field: 'body.value', code: 'duplicate', message: 'the value exists' }] });
    }
    option.values.push(input.value);
    const rows = optionMatrix(options).filter((values) => values[index] === input.value);
    if (view.variants.length + rows.length > MAX_VARIANTS) throw new ProductError('variant_limit', `A product has at most ${MAX_VARIANTS} variants.`);
    const prefix = skuPrefixOf(view);
    const variants = rows.map((values) => ({ values, sku: variantSku(prefix, values), price: input.price !== undefined ? input.price : siblingPrice(view.variants, values, index), barcodes: [] }));
    await trx.updateTable('products').set({ options_json: JSON.stringify(options), updated_at: ctx.clock.now() }).where('id', '=', id).execute();
    await createVariants(ctx, trx, { ...view.product, options_json: JSON.stringify(options) }, view.variants[0]?.item.base_unit ?? 'ea', variants, view.variants.length);
    return viewOf(trx, (await findProductRow(trx, id))!);
  });
}

/** The prefix the product's variant SKUs share (their SKU less the value parts), or the handle in capitals. */
function skuPrefixOf(view: ProductView): string {
  for (const variant of view.variants) {
    const suffix = variantSku('', variant.options);
    if (variant.item.sku.toUpperCase().endsWith(suffix) && variant.item.sku.length > suffix.length) return variant.item.sku.slice(0, variant.item.sku.length - suffix.length);
  }
  return view.product.handle.toUpperCase();
}

function siblingPrice(variants: readonly ProductVariant[], values: readonly string[], index: number): number | null {
  const same = variants.find((v) => v.options.every((value, i) => i === index || value === values[i]));
  return (same ?? variants[0])?.item.price_micros ?? null;
}

/** Sets the price of every variant in one row of the matrix (every variant whose option has this value). */
export async function setRowPrice(ctx: ServiceContext, id: string, input: SetRowPriceInput): Promise<ProductView> {
  return inTransaction(ctx, async (trx) => {
    const inner = { ...ctx, trx };
    const view = await getProduct(inner, id);
    const index = optionIndex(view.options, input.option);
    const row = view.variants.filter((v) => v.options[index] === input.value);
    if (row.length === 0) {
      throw new ProductError('product_option_invalid', `No variant has ${view.options[index]!.name} ${input.value}.`, { errors: [{ field: 'body.value', code: 'unknown_value', message: 'no variant has this value' }] });
    }
    for (const variant of row) {
      if (variant.item.price_micros !== input.price) await updateItem(inner, variant.item.id, { price: input.price });
    }
    return viewOf(trx, view.product);
  });
}

export interface VariantLinkInput {
  handle: string;
  name: string;
  category: string | null;
  optionNames: string[];
  values: string[];
  itemId: string;
}

/**
 * For imports, a batch at a time: each item linked to the product with its handle (made if missing)
 * as the variant with these values, and each value the product lacks added to its options. Reads
 * the batch's products and current links in two queries and writes only what differs, so
 * re-importing a file is a no-op and costs no write. Returns per input whether anything changed.
 */
export async function upsertVariantLinks(trx: Trx, ctx: ServiceContext, inputs: readonly VariantLinkInput[]): Promise<Array<'created' | 'updated' | 'unchanged'>> {
  if (inputs.length === 0) return [];
  const handleKeys = [...new Set(inputs.map((i) => i.handle.toLowerCase()))];
  const products = new Map((await trx.selectFrom('products').selectAll().where('handle_key', 'in', handleKeys).execute()).map((p) => [p.handle_key, p]));
  const links = new Map((await trx.selectFrom('product_variants').selectAll().where('item_id', 'in', inputs.map((i) => i.itemId)).execute()).map((l) => [l.item_id, l]));
  const outcomes: Array<'created' | 'updated' | 'unchanged'> = [];
  const grown = new Map<string, ProductOption[]>();
  const made = new Set<string>();
  const fresh: Array<{ input: VariantLinkInput; productId: string }> = [];
  for (const input of inputs) {
    const key = input.handle.toLowerCase();
    let product = products.get(key);
    if (!product) {
      const options = input.optionNames.slice(0, MAX_OPTIONS).map((name) => ({ name, values: [] as string[] }));
      product = await insertProduct(trx, ctx, { handle: input.handle, name: input.name, description: null, category: input.category, options });
      products.set(key, product);
      made.add(product.id);
    }
    const options = grown.get(product.id) ?? optionsOf(product);
    let changed = made.has(product.id);
    input.values.forEach((value, i) => {
      const option = options[i];
      if (option && !option.values.includes(value)) {
        option.values.push(value);
        grown.set(product!.id, options);
        changed = true;
      }
    });
    const [option1, option2, option3] = paddedValues(input.values);
    const link = links.get(input.itemId);
    if (link && link.product_id === product.id && link.option1 === option1 && link.option2 === option2 && link.option3 === option3) {
      outcomes.push(changed ? 'updated' : 'unchanged');
      continue;
    }
    if (link) await trx.deleteFrom('product_variants').where('item_id', '=', input.itemId).execute();
    fresh.push({ input, productId: product.id });
    outcomes.push(made.has(product.id) ? 'created' : 'updated');
  }
  for (const [id, options] of grown) await trx.updateTable('products').set({ options_json: JSON.stringify(options), updated_at: ctx.clock.now() }).where('id', '=', id).execute();
  await insertLinks(trx, fresh);
  return outcomes;
}

/** New variant links, positioned after each product's existing variants, in one insert. */
async function insertLinks(trx: Trx, fresh: ReadonlyArray<{ input: VariantLinkInput; productId: string }>): Promise<void> {
  if (fresh.length === 0) return;
  const productIds = [...new Set(fresh.map((f) => f.productId))];
  const counts = await trx.selectFrom('product_variants').select(['product_id', (eb) => eb.fn.countAll<number>().as('n')]).where('product_id', 'in', productIds).groupBy('product_id').execute();
  const next = new Map(counts.map((c) => [c.product_id, Number(c.n)]));
  const rows = fresh.map(({ input, productId }) => {
    const position = next.get(productId) ?? 0;
    next.set(productId, position + 1);
    const [option1, option2, option3] = paddedValues(input.values);
    return { item_id: input.itemId, product_id: productId, option1, option2, option3, position };
  });
  try {
    await trx.insertInto('product_variants').values(rows).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ProductError('variant_exists', 'A product already has a variant with the option values of an imported row.');
    throw error;
  }
}
