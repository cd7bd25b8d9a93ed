import fs from 'node:fs';
import { once } from 'node:events';
import readline from 'node:readline';
import { sql } from 'kysely';
import type { Database } from './database.ts';
import { tablesInSchema } from './introspection.ts';
import { readSnapshot } from './transaction.ts';
import type { Progress } from './backup.ts';
import type { DB } from './schema.ts';

/**
 * A logical export of every table as JSON lines, and its import into an empty database of
 * either dialect: the way a shop moves from SQLite to PostgreSQL. Tables are listed in an
 * order that satisfies their foreign keys; a table missing from the list fails the export, so a
 * new table cannot be silently left behind.
 */

/** Every table with its key, parents before children; locations by path, so parents come first. */
export const EXPORT_TABLES: ReadonlyArray<{ name: string; key: readonly string[] }> = [
  { name: 'settings', key: ['key'] },
  { name: 'counters', key: ['name'] },
  { name: 'locations', key: ['path'] },
  { name: 'items', key: ['id'] },
  { name: 'item_barcodes', key: ['code_key'] },
  { name: 'item_components', key: ['item_id', 'component_item_id'] },
  { name: 'lots', key: ['id'] },
  { name: 'ledger_transactions', key: ['id'] },
  { name: 'movements', key: ['id'] },
  { name: 'balances', key: ['item_id', 'location_id', 'lot_id'] },
  { name: 'reservations', key: ['id'] },
  { name: 'idempotency_keys', key: ['scope', 'key', 'method', 'route'] },
  { name: 'adjustments', key: ['id'] },
  { name: 'adjustment_lines', key: ['id'] },
  { name: 'item_costs', key: ['item_id'] },
  { name: 'inbound_costs', key: ['movement_id'] },
  { name: 'cost_layers', key: ['movement_id'] },
  { name: 'cost_consumptions', key: ['movement_id', 'layer_id'] },
  { name: 'cost_checkpoints', key: ['item_id', 'effective_at', 'movement_id'] },
  { name: 'users', key: ['id'] },
  { name: 'site_grants', key: ['principal_id', 'site_id'] },
  { name: 'sessions', key: ['id'] },
  { name: 'api_tokens', key: ['id'] },
  { name: 'oauth_clients', key: ['id'] },
  { name: 'oauth_grants', key: ['id'] },
  { name: 'oauth_codes', key: ['code_hash'] },
  { name: 'oauth_tokens', key: ['secret_hash'] },
  { name: 'login_throttle', key: ['key'] },
  { name: 'sign_in_addresses', key: ['user_id', 'ip'] },
  { name: 'audit_events', key: ['id'] },
  { name: 'audit_targets', key: ['event_id', 'target_type', 'target_id'] },
  { name: 'vendors', key: ['id'] },
  { name: 'vendor_items', key: ['vendor_id', 'item_id'] },
  { name: 'exchange_rates', key: ['currency', 'effective_on'] },
  { name: 'purchase_orders', key: ['id'] },
  { name: 'purchase_order_lines', key: ['id'] },
  { name: 'purchase_order_revisions', key: ['id'] },
  { name: 'receipts', key: ['id'] },
  { name: 'receipt_lines', key: ['id'] },
  { name: 'receipt_discrepancies', key: ['id'] },
  { name: 'vendor_returns', key: ['id'] },
  { name: 'vendor_return_lines', key: ['id'] },
  { name: 'landed_costs', key: ['id'] },
  { name: 'landed_cost_allocations', key: ['landed_cost_id', 'movement_id'] },
  { name: 'modifier_groups', key: ['id'] },
  { name: 'modifiers', key: ['id'] },
  { name: 'item_modifier_groups', key: ['item_id', 'group_id'] },
  { name: 'channels', key: ['id'] },
  { name: 'channel_sites', key: ['channel_id', 'site_id'] },
  { name: 'channel_item_buffers', key: ['channel_id', 'item_id'] },
  { name: 'outbox_sequences', key: ['item_id'] },
  { name: 'outbox_events', key: ['id'] },
  { name: 'deliveries', key: ['id'] },
  { name: 'delivery_attempts', key: ['id'] },
  { name: 'paused_destinations', key: ['destination'] },
  { name: 'webhook_subscriptions', key: ['id'] },
  { name: 'notification_settings', key: ['key'] },
  { name: 'sale_registers', key: ['register_key'] },
  { name: 'sales', key: ['id'] },
  { name: 'sale_lines', key: ['id'] },
  { name: 'sale_line_modifiers', key: ['sale_line_id', 'position'] },
  { name: 'sale_discounts', key: ['id'] },
  { name: 'payments', key: ['id'] },
  { name: 'orders', key: ['id'] },
  { name: 'order_lines', key: ['id'] },
  { name: 'returns', key: ['id'] },
  { name: 'return_lines', key: ['id'] },
  { name: 'exchanges', key: ['id'] },
  { name: 'pick_lists', key: ['id'] },
  { name: 'pick_list_lines', key: ['id'] },
  { name: 'shipments', key: ['id'] },
  { name: 'shipment_packages', key: ['id'] },
  { name: 'shipment_lines', key: ['id'] },
  { name: 'transfers', key: ['id'] },
  { name: 'transfer_lines', key: ['id'] },
  { name: 'transfer_allocations', key: ['id'] },
  { name: 'transfer_postings', key: ['id'] },
  { name: 'transfer_discrepancies', key: ['id'] },
  { name: 'bin_moves', key: ['id'] },
  { name: 'boms', key: ['id'] },
  { name: 'bom_lines', key: ['id'] },
  { name: 'production_orders', key: ['id'] },
  { name: 'production_order_lines', key: ['id'] },
  { name: 'production_postings', key: ['id'] },
  { name: 'disassemblies', key: ['id'] },
  { name: 'cost_derivations', key: ['id'] },
  { name: 'cost_derivation_sources', key: ['derivation_id', 'movement_id'] },
  { name: 'cost_derivation_outputs', key: ['derivation_id', 'movement_id'] },
  { name: 'count_site_settings', key: ['site_id'] },
  { name: 'counts', key: ['id'] },
  { name: 'count_sheets', key: ['id'] },
  { name: 'count_lines', key: ['id'] },
  { name: 'count_unknown_scans', key: ['id'] },
  { name: 'job_leases', key: ['name'] },
  { name: 'job_runs', key: ['id'] },
  { name: 'forecast_runs', key: ['id'] },
  { name: 'forecasts', key: ['item_id', 'site_id'] },
  { name: 'demand_flags', key: ['id'] },
  { name: 'alert_rules', key: ['rule'] },
  { name: 'alert_states', key: ['rule', 'subject_id', 'site_id'] },
  { name: 'alerts', key: ['id'] },
  { name: 'alert_subscriptions', key: ['id'] },
  { name: 'alert_preferences', key: ['user_id'] },
  { name: 'alert_digests', key: ['user_id'] },
  { name: 'notifications', key: ['id'] },
  { name: 'stock_levels', key: ['item_id', 'location_id'] },
  { name: 'price_changes', key: ['id'] },
  { name: 'saved_reports', key: ['id'] },
  { name: 'report_schedules', key: ['id'] },
  { name: 'report_schedule_runs', key: ['id'] },
  { name: 'stock_snapshot_days', key: ['day'] },
  { name: 'stock_snapshot_balances', key: ['day', 'site_id', 'item_id'] },
  { name: 'stock_snapshot_costs', key: ['day', 'item_id'] },
  { name: 'stock_snapshot_state', key: ['name'] },
  { name: 'stock_snapshot_invalidations', key: ['id'] },
  { name: 'sales_days', key: ['day'] },
  { name: 'sales_day_totals', key: ['day', 'item_id', 'site_id', 'channel_id'] },
  { name: 'sales_day_order_totals', key: ['day', 'item_id', 'site_id', 'channel_id'] },
  { name: 'sales_day_order_lines', key: ['day', 'order_line_id'] },
  { name: 'sales_day_quarters', key: ['day', 'quarter', 'site_id', 'channel_id'] },
  { name: 'sales_day_state', key: ['name'] },
  { name: 'sales_day_invalidations', key: ['id'] },
  { name: 'channel_connections', key: ['id'] },
  { name: 'channel_variant_maps', key: ['connection_id', 'variant_ref'] },
  { name: 'channel_events', key: ['id'] },
  { name: 'channel_order_states', key: ['connection_id', 'order_ref'] },
  { name: 'channel_sync_log', key: ['id'] },
  { name: 'accounting_accounts', key: ['site_id', 'category', 'role'] },
  { name: 'tax_rates', key: ['id'] },
  { name: 'tax_rules', key: ['site_id', 'category_key'] },
  { name: 'tax_exempt_items', key: ['item_id'] },
  { name: 'qbo_connections', key: ['id'] },
  { name: 'qbo_postings', key: ['id'] },
  { name: 'google_local_feeds', key: ['site_id'] },
  { name: 'item_listings', key: ['item_id'] },
  { name: 'product_listings', key: ['product_id'] },
  { name: 'google_merchant', key: ['id'] },
  { name: 'google_pushed', key: ['kind', 'store_code', 'offer_id'] },
  { name: 'products', key: ['id'] },
  { name: 'product_variants', key: ['item_id'] },
  { name: 'import_jobs', key: ['id'] },
];

/** `(k1, k2, …) > (v1, v2, …)` spelled out, which both dialects plan as an index range. */
function afterKey(key: readonly string[], last: Record<string, unknown>) {
  const clauses = key.map((column, i) => {
    const equal = key.slice(0, i).map((c) => sql`${sql.ref(c)} = ${last[c]}`);
    return sql.join([...equal, sql`${sql.ref(column)} > ${last[column]}`], sql` and `);
  });
  return sql<boolean>`(${sql.join(clauses.map((c) => sql`(${c})`), sql` or `)})`;
}

const FORMAT = 'stockroom-export';
const pageSize = 2000;

/** Our tables (not Kysely's bookkeeping); on PostgreSQL only those in this database's schema. */
export async function listTables(db: Database): Promise<string[]> {
  const names = db.dialect === 'postgres' && db.schema ? await tablesInSchema(db.kysely, db.schema) : (await db.kysely.introspection.getTables()).map((t) => t.name);
  return names.filter((name) => !name.startsWith('kysely_'));
}

export async function exportDatabase(db: Database, file: string, onProgress?: Progress): Promise<Record<string, number>> {
  const present = await listTables(db);
  const unlisted = present.filter((name) => !EXPORT_TABLES.some((t) => t.name === name));
  if (unlisted.length) throw new Error(`export does not know the tables ${unlisted.join(', ')}; add them to EXPORT_TABLES`);
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  // events.once rejects if the stream fails while we wait, and takes its listeners off again.
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  // One snapshot, so the export is consistent even while the shop keeps selling.
  const counts = await readSnapshot(db, async (trx) => {
    const counts: Record<string, number> = {};
    let total = 0;
    for (const t of EXPORT_TABLES) {
      const row = await trx.selectFrom(sql.table(t.name).as('t')).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      counts[t.name] = Number(row.n);
      total += counts[t.name]!;
    }
    await write(JSON.stringify({ format: FORMAT, version: 1, exported_at: new Date().toISOString(), source: db.dialect, counts }));
    let done = 0;
    for (const t of EXPORT_TABLES) {
      let last: Record<string, unknown> | undefined;
      for (;;) {
        let query = trx.selectFrom(sql.table(t.name).as('t')).selectAll();
        if (last) query = query.where(afterKey(t.key, last));
        for (const column of t.key) query = query.orderBy(sql.ref(column));
        const rows = (await query.limit(pageSize).execute()) as Array<Record<string, unknown>>;
        for (const r of rows) await write(JSON.stringify({ t: t.name, r }));
        done += rows.length;
        onProgress?.(done, total);
        if (rows.length < pageSize) break;
        last = rows[rows.length - 1];
      }
    }
    return counts;
  });
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return counts;
}

/** Imports an export into a database that has the schema but no data; all or nothing. */
export async function importDatabase(db: Database, file: string, onProgress?: Progress): Promise<Record<string, number>> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = first.done ? null : (JSON.parse(first.value) as { format?: string; counts?: Record<string, number> });
  if (header?.format !== FORMAT) throw new Error(`${file} is not a Stockroom export`);
  const total = Object.values(header.counts ?? {}).reduce((a, b) => a + b, 0);
  const existing = await db.kysely.selectFrom('items').select('id').limit(1).executeTakeFirst();
  if (existing) throw new Error('the target database already holds items; import into an empty database');
  const counts: Record<string, number> = {};
  let done = 0;
  // Not retried: the file is read as it streams in. The target is empty and nobody else writes.
  await db.kysely.transaction().execute(async (trx) => {
    // The first migration seeds the virtual locations; the export carries them too.
    await trx.deleteFrom('locations').execute();
    let batch: Array<Record<string, unknown>> = [];
    let table = '';
    const flush = async () => {
      if (batch.length === 0) return;
      await trx.insertInto(table as keyof DB).values(batch as never).execute();
      counts[table] = (counts[table] ?? 0) + batch.length;
      done += batch.length;
      onProgress?.(done, total);
      batch = [];
    };
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (!next.value.trim()) continue;
      const { t, r } = JSON.parse(next.value) as { t: string; r: Record<string, unknown> };
      if (!EXPORT_TABLES.some((x) => x.name === t)) throw new Error(`unknown table ${t} in the export`);
      if (t !== table || batch.length >= 200) await flush();
      table = t;
      batch.push(r);
    }
    await flush();
  });
  for (const [name, count] of Object.entries(header.counts ?? {})) {
    if ((counts[name] ?? 0) !== count) throw new Error(`imported ${counts[name] ?? 0} rows of ${name}, the export says ${count}`);
  }
  return counts;
}
