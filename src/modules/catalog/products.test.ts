import { expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { getItem } from './items.service.ts';
import { ProductError } from './products.errors.ts';
import { addOptionValue, createProduct, getProduct, listProducts, optionMatrix, setRowPrice, updateProduct, variantSku } from './products.service.ts';

let counter = 0;
function uniqueHandle(): string {
  counter += 1;
  return `gloves-${process.pid}-${counter}-${Math.floor(Math.random() * 1e6)}`;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ProductError);
  return (error as ProductError).code;
}

it('makes the full matrix, first option slowest, and SKUs from the prefix and values', () => {
  expect(optionMatrix([{ name: 'Size', values: ['S', 'M'] }, { name: 'Colour', values: ['Red', 'Navy Blue'] }])).toEqual([
    ['S', 'Red'],
    ['S', 'Navy Blue'],
    ['M', 'Red'],
    ['M', 'Navy Blue'],
  ]);
  expect(variantSku('GLOVE', ['M', 'Navy Blue'])).toBe('GLOVE-M-NAVY-BLUE');
});

describeEachDatabase('products', (get) => {
  it('creates a product of sizes and colours as one item per variant, each with its own SKU and price', async () => {
    const ctx = serviceContext(get().db);
    const handle = uniqueHandle();
    const view = await createProduct(ctx, {
      name: 'Wool gloves',
      handle,
      base_unit: 'ea',
      price: 12_000_000,
      options: [{ name: 'Size', values: ['S', 'M'] }, { name: 'Colour', values: ['Red', 'Blue'] }],
    });
    expect(view.variants.map((v) => v.options)).toEqual([['S', 'Red'], ['S', 'Blue'], ['M', 'Red'], ['M', 'Blue']]);
    expect(view.variants.map((v) => v.item.sku)).toEqual([`${handle.toUpperCase()}-S-RED`, `${handle.toUpperCase()}-S-BLUE`, `${handle.toUpperCase()}-M-RED`, `${handle.toUpperCase()}-M-BLUE`]);
    const item = await getItem(ctx, view.variants[0]!.item.id);
    expect(item.price_micros).toBe(12_000_000);
    expect(item.name).toBe('Wool gloves - S / Red');
  });

  it('adds a size to every colour at once, copying the price of the same colour', async () => {
    const ctx = serviceContext(get().db);
    const view = await createProduct(ctx, {
      name: 'Gloves',
      handle: uniqueHandle(),
      sku_prefix: `G${counter}X${process.pid}`,
      base_unit: 'ea',
      options: [{ name: 'Colour', values: ['Red', 'Blue'] }, { name: 'Size', values: ['M'] }],
      variants: [
        { options: ['Red', 'M'], price: 10_000_000 },
        { options: ['Blue', 'M'], price: 11_000_000 },
      ],
    });
    const grown = await addOptionValue(ctx, view.product.id, { option: 'size', value: 'L' });
    expect(grown.options[1]!.values).toEqual(['M', 'L']);
    const large = grown.variants.filter((v) => v.options[1] === 'L');
    expect(large.map((v) => [v.options[0], v.item.price_micros])).toEqual([['Red', 10_000_000], ['Blue', 11_000_000]]);
    expect(large[0]!.item.sku).toBe(`G${counter}X${process.pid}-RED-L`);
    expect(await codeOf(addOptionValue(ctx, view.product.id, { option: 'Size', value: 'l' }))).toBe('product_option_invalid');
  });

  it('sets the price of one row of the matrix and leaves the others', async () => {
    const ctx = serviceContext(get().db);
    const view = await createProduct(ctx, { name: 'Hat', handle: uniqueHandle(), base_unit: 'ea', price: 5_000_000, options: [{ name: 'Size', values: ['S', 'L'] }, { name: 'Colour', values: ['Red', 'Blue'] }] });
    const after = await setRowPrice(ctx, view.product.id, { option: 'Size', value: 'L', price: 7_500_000 });
    expect(after.variants.map((v) => [v.options.join('/'), v.item.price_micros])).toEqual([
      ['S/Red', 5_000_000],
      ['S/Blue', 5_000_000],
      ['L/Red', 7_500_000],
      ['L/Blue', 7_500_000],
    ]);
  });

  it('refuses a taken handle, a variant outside the options, an unknown option and a missing product', async () => {
    const ctx = serviceContext(get().db);
    const handle = uniqueHandle();
    const view = await createProduct(ctx, { name: 'Scarf', handle, base_unit: 'ea', options: [{ name: 'Colour', values: ['Red'] }] });
    expect(await codeOf(createProduct(ctx, { name: 'Scarf 2', handle, sku_prefix: `${handle.toUpperCase()}-2`, base_unit: 'ea', options: [{ name: 'Colour', values: ['Red'] }] }))).toBe('product_handle_taken');
    expect(await codeOf(createProduct(ctx, { name: 'X', handle: uniqueHandle(), base_unit: 'ea', options: [{ name: 'Colour', values: ['Red'] }], variants: [{ options: ['Green'] }] }))).toBe('product_option_invalid');
    expect(await codeOf(createProduct(ctx, { name: 'X', handle: uniqueHandle(), base_unit: 'ea', options: [{ name: 'A', values: ['1'] }, { name: 'a', values: ['2'] }] }))).toBe('product_option_invalid');
    expect(await codeOf(setRowPrice(ctx, view.product.id, { option: 'Size', value: 'M', price: null }))).toBe('product_option_invalid');
    expect(await codeOf(getProduct(ctx, 'pdt_NOPE'))).toBe('product_not_found');
    const renamed = await updateProduct(ctx, view.product.id, { option_names: ['Color'], name: 'Long scarf' });
    expect(renamed.options).toEqual([{ name: 'Color', values: ['Red'] }]);
    const listed = await listProducts(ctx, { q: handle, limit: 10 });
    expect(listed.views.map((v) => v.product.id)).toEqual([view.product.id]);
  });
});
