import { reader, type ServiceContext } from '../../../platform/context.ts';
import type { VendorRow } from '../../../platform/db/schema.ts';
import type { Executor } from '../../../platform/db/transaction.ts';
import { formatScaled } from '../../../platform/decimal.ts';
import type { BulkOutcome } from '../../catalog/index.ts';
import { createVendor, createVendorBody, updateVendor, type VendorInput } from '../../purchasing/index.ts';
import { numberCell, seen, zodFailures, type ImportKind, type KindRow } from './kind.ts';

/**
 * Vendors, matched by name (as the API refuses a second vendor of one name, whatever its case).
 * A column the file leaves out keeps what the vendor has; an empty cell clears an optional field.
 */

type VendorFields = Omit<VendorInput, 'name'>;

interface VendorImportRow extends KindRow {
  name: string;
  fields: VendorFields;
}

const columns = [
  { key: 'name', label: 'Name', type: 'text', required: true },
  { key: 'email', label: 'Email', type: 'text' },
  { key: 'phone', label: 'Phone', type: 'text' },
  { key: 'contact_name', label: 'Contact name', type: 'text' },
  { key: 'currency', label: 'Currency', type: 'text' },
  { key: 'payment_terms', label: 'Payment terms', type: 'text' },
  { key: 'lead_time_days', label: 'Lead time days', type: 'text' },
  { key: 'over_receipt_tolerance_percent', label: 'Over-receipt tolerance %', type: 'text' },
  { key: 'notes', label: 'Notes', type: 'text' },
] as const;

const nullable = new Set(['email', 'phone', 'contact_name', 'payment_terms', 'lead_time_days', 'notes']);
const numeric = new Set(['lead_time_days', 'over_receipt_tolerance_percent']);

export const vendorsKind: ImportKind<VendorImportRow> = {
  name: 'vendors',
  title: 'Vendors',
  columns,
  parse(row, cells, fail) {
    const body: Record<string, unknown> = { name: cells.get('name') ?? '' };
    for (const { key } of columns.slice(1)) {
      const text = cells.get(key);
      if (text === undefined) continue;
      if (text === '') {
        if (nullable.has(key)) body[key] = null;
        continue;
      }
      body[key] = numeric.has(key) ? numberCell(text) : key === 'currency' ? text.toUpperCase() : text;
    }
    const parsed = createVendorBody.safeParse(body);
    if (!parsed.success) {
      zodFailures(parsed.error, body, fail);
      return null;
    }
    const { name, over_receipt_tolerance_percent, ...rest } = parsed.data;
    const fields: VendorFields = { ...rest, ...(over_receipt_tolerance_percent !== undefined ? { over_receipt_tolerance: over_receipt_tolerance_percent } : {}) };
    return { row, name, fields };
  },
  async check(ctx, rows, state) {
    const errors: Array<{ row: number; key: string | null; code: string; message: string }> = [];
    const existing = await byName(reader(ctx), rows);
    const ordered = existing.size
      ? new Set((await reader(ctx).selectFrom('purchase_orders').select('vendor_id').distinct().where('vendor_id', 'in', [...existing.values()].map((v) => v.id)).execute()).map((r) => r.vendor_id))
      : new Set<string>();
    for (const r of rows) {
      const key = r.name.toLowerCase();
      if (seen(state, 'name', key)) errors.push({ row: r.row, key: 'name', code: 'duplicate', message: `the vendor ${r.name} is on an earlier row of the file` });
      const current = existing.get(key);
      if (current && r.fields.currency !== undefined && r.fields.currency !== current.currency && ordered.has(current.id)) {
        errors.push({ row: r.row, key: 'currency', code: 'currency_locked', message: `${current.name} has purchase orders in ${current.currency}; its currency cannot change` });
      }
    }
    return errors;
  },
  async apply(ctx, rows) {
    const existing = await byName(ctx.trx, rows);
    const outcomes: BulkOutcome[] = [];
    for (const r of rows) {
      const current = existing.get(r.name.toLowerCase());
      if (!current) {
        await createVendor(ctx, { name: r.name, ...r.fields });
        outcomes.push('created');
        continue;
      }
      const patch: Record<string, unknown> = {};
      if (r.name !== current.name) patch.name = r.name;
      for (const [k, v] of Object.entries(r.fields)) if (v !== undefined && v !== current[k as keyof VendorRow]) patch[k] = v;
      if (Object.keys(patch).length === 0) {
        outcomes.push('unchanged');
        continue;
      }
      await updateVendor(ctx, current.id, patch);
      outcomes.push('updated');
    }
    return outcomes;
  },
  async exportRows(ctx: ServiceContext) {
    const rows = await reader(ctx).selectFrom('vendors').selectAll().where('status', '=', 'active').orderBy('name_key').orderBy('id').execute();
    return rows.map((v) => ({
      name: v.name,
      email: v.email,
      phone: v.phone,
      contact_name: v.contact_name,
      currency: v.currency,
      payment_terms: v.payment_terms,
      lead_time_days: v.lead_time_days === null ? null : String(v.lead_time_days),
      over_receipt_tolerance_percent: formatScaled(Number(v.over_receipt_tolerance), 3),
      notes: v.notes,
    }));
  },
};

async function byName(db: Executor, rows: readonly VendorImportRow[]): Promise<Map<string, VendorRow>> {
  if (rows.length === 0) return new Map();
  const found = await db.selectFrom('vendors').selectAll().where('name_key', 'in', [...new Set(rows.map((r) => r.name.toLowerCase()))]).execute();
  return new Map(found.map((v) => [v.name_key, v]));
}
