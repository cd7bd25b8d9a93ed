import { z } from 'zod';
import { idInput, instantInput, instantOutput, moneyOutput, quantityOutput } from '../../platform/http/fields.ts';
import { cursorParam, limitParam, pageSchema } from '../../platform/http/pagination.ts';
import { MOVEMENT_KINDS } from './movements.service.ts';

export const listBalancesQuery = z.strictObject({
  item_id: idInput('itm').optional(),
  location_id: idInput('loc').optional().meta({ description: 'A bin, or a site or zone to include everything below it.' }),
  as_of: instantInput.optional().meta({ description: 'Balances as they stood at this instant.' }),
  group_by: z.enum(['none', 'item']).default('none').meta({ description: '`item` sums each item over the locations asked for.' }),
  include_virtual: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  limit: limitParam,
  cursor: cursorParam,
});

export const balanceOutput = z
  .object({
    item_id: z.string(),
    location_id: z.string().nullable(),
    lot_id: z.string().nullable(),
    on_hand: quantityOutput,
    reserved: quantityOutput.nullable(),
    available: quantityOutput.nullable(),
  })
  .meta({ id: 'Balance' });

export const balancePage = pageSchema(balanceOutput).extend({ as_of: instantOutput.nullable() });

export const listMovementsQuery = z.strictObject({
  item_id: idInput('itm').optional(),
  location_id: idInput('loc').optional().meta({ description: 'Movements in or out of this location or anything below it.' }),
  document_id: z.string().max(64).optional(),
  document_type: z.string().max(32).optional(),
  kind: z.enum(MOVEMENT_KINDS).optional(),
  from: instantInput.optional(),
  to: instantInput.optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const movementOutput = z
  .object({
    id: z.string(),
    txn_id: z.string(),
    kind: z.string(),
    reason: z.string().nullable(),
    item_id: z.string(),
    lot_id: z.string().nullable(),
    from_location_id: z.string(),
    to_location_id: z.string(),
    qty: quantityOutput,
    direction: z.enum(['in', 'out']).nullable(),
    unit_cost: moneyOutput.nullable().optional().meta({ description: 'Omitted for staff.' }),
    value: moneyOutput.nullable().optional().meta({ description: 'Omitted for staff.' }),
    effective_at: instantOutput,
    recorded_at: instantOutput,
    document_type: z.string(),
    document_id: z.string(),
    document_line_id: z.string().nullable(),
    actor_id: z.string().nullable(),
  })
  .meta({ id: 'Movement' });

export const movementPage = pageSchema(movementOutput);

export const lotOutput = z
  .object({ id: z.string(), item_id: z.string(), code: z.string(), kind: z.enum(['lot', 'serial']), expires_on: z.string().nullable(), created_at: instantOutput })
  .meta({ id: 'Lot' });

export const listLotsQuery = z.strictObject({ item_id: idInput('itm') });

export const reservationOutput = z
  .object({
    id: z.string(),
    item_id: z.string(),
    location_id: z.string(),
    lot_id: z.string().nullable(),
    qty: quantityOutput,
    document_type: z.string(),
    document_id: z.string(),
    document_line_id: z.string().nullable(),
    expires_at: instantOutput.nullable(),
    created_at: instantOutput,
  })
  .meta({ id: 'Reservation' });
