import { z } from 'zod';
import { idInput, instantOutput, optionalTextInput, textInput } from '../../platform/http/fields.ts';

export const locationCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'letters, digits, dot, dash and underscore; at most 32')
  .meta({ description: 'Letters, digits, dot, dash and underscore; at most 32. Leading and trailing whitespace is removed.' });

export const negativeStockPolicy = z.enum(['allow', 'strict']).meta({
  description: '`allow`: sales post and flag a negative balance (store counters). `strict`: refuse to go below zero.',
});

export const createLocationBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('site'),
    code: locationCode,
    name: textInput(120),
    site_type: z.enum(['store', 'warehouse']),
    negative_stock: negativeStockPolicy.optional(),
    address: optionalTextInput(500).optional(),
  }),
  z.strictObject({
    kind: z.enum(['zone', 'bin']),
    parent_id: idInput('loc'),
    code: locationCode,
    name: textInput(120),
    pick_order: z.number().int().min(0).max(1_000_000).optional(),
    purpose: z.enum(['stock', 'quarantine']).optional().meta({ description: 'Bins only: `quarantine` stock is never sold or picked.' }),
  }),
]);
export type CreateLocationInput = z.output<typeof createLocationBody>;

export const updateLocationBody = z
  .strictObject({
    name: textInput(120).optional(),
    negative_stock: negativeStockPolicy.optional(),
    pick_order: z.number().int().min(0).max(1_000_000).optional(),
    address: optionalTextInput(500).nullable().optional(),
    default_bin_id: idInput('loc').optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });
export type UpdateLocationInput = z.output<typeof updateLocationBody>;

export const locationOutput = z
  .object({
    id: z.string(),
    kind: z.enum(['site', 'zone', 'bin', 'virtual']),
    parent_id: z.string().nullable(),
    site_id: z.string().nullable(),
    code: z.string(),
    full_code: z.string(),
    name: z.string(),
    site_type: z.enum(['store', 'warehouse']).nullable(),
    virtual_type: z.string().nullable(),
    negative_stock: negativeStockPolicy.nullable(),
    default_bin_id: z.string().nullable(),
    pick_order: z.number().int(),
    purpose: z.enum(['stock', 'quarantine']),
    address: z.string().nullable(),
    holds_stock: z.boolean(),
    created_at: instantOutput,
    updated_at: instantOutput,
  })
  .meta({ id: 'Location' });
export type LocationJson = z.infer<typeof locationOutput>;

export type LocationNodeJson = LocationJson & { children: LocationNodeJson[] };

// Registered under its own name so the OpenAPI document can refer to it recursively.
export const locationNodeOutput: z.ZodType<LocationNodeJson> = z
  .lazy(() => locationOutput.extend({ children: z.array(locationNodeOutput) }))
  .meta({ id: 'LocationNode' });

export const listLocationsQuery = z.strictObject({
  site_id: idInput('loc').optional(),
  include_virtual: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});
