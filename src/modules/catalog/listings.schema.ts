import { z } from 'zod';
import { optionalTextInput } from '../../platform/http/fields.ts';

/** Merchant Center takes http(s) addresses of at most 2000 characters; Stockroom asks for https, as Google recommends and the product feed test checks. */
const webAddress = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((s) => s.startsWith('https://'), { message: 'must be an https:// address' })
  .nullable()
  .meta({ description: 'An https:// address of at most 2000 characters; null clears it.' });

export const LISTING_CONDITIONS = ['new', 'refurbished', 'used'] as const;

const listingFields = {
  brand: optionalTextInput(70).nullable().optional().meta({ description: 'The brand as Google shows it (at most 70 characters); null clears it.' }),
  image_url: webAddress.optional(),
  link_url: webAddress.optional().meta({ description: "The item's page on the shop's website (https)." }),
};

export const itemListingBody = z.strictObject({
  google: z.boolean().optional().meta({ description: 'Listed on Google: in the product feed and pushed to Merchant Center.' }),
  condition: z.enum(LISTING_CONDITIONS).optional(),
  ...listingFields,
});
export const productListingBody = z.strictObject(listingFields);

const shared = { brand: z.string().nullable(), image_url: z.string().nullable(), link_url: z.string().nullable() };

export const itemListingOutput = z
  .object({
    item_id: z.string(),
    google: z.boolean(),
    condition: z.enum(LISTING_CONDITIONS),
    ...shared,
    product_id: z.string().nullable().meta({ description: 'The product the item is a variant of; what the item leaves empty comes from it.' }),
    effective: z.object({ description: z.string().nullable(), ...shared }).meta({ description: 'What a listing shows: the item’s own value, else its product’s.' }),
  })
  .meta({ id: 'ItemListing' });

export const productListingOutput = z.object({ product_id: z.string(), ...shared }).meta({ id: 'ProductListing' });

export type ItemListingInput = z.infer<typeof itemListingBody>;
export type ProductListingInput = z.infer<typeof productListingBody>;
