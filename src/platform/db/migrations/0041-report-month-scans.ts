import { sql, type Kysely } from 'kysely';

/**
 * Each counter sale line keeps its cost of goods (the sum of the values of the sale movements it
 * posted), so a month's profitability, ABC and sales reports add up a column instead of looking
 * up every line's movements. Unknown (null) until the reports' job fills it after the sale, and
 * again whenever re-costing rewrites one of those movements (the ledger says so in its
 * transaction); readers take the movements for a line whose cost is unknown. The partial index
 * finds those few lines. The lines so far get theirs now.
 *
 * The cost of what was sold per hour (the dashboard's sales by day) is read from an index of the
 * sale movements alone, by time, holding their value, instead of every movement of the month looked
 * up row by row to check its kind. Partial, so that only a query naming the kind 'sale' as a
 * literal uses it: an index on (kind, time) for every kind drew SQLite's planner away from
 * better indexes (a document's movements, an item's history) in other reports, which it made
 * two to three times slower on the scale-100 shop.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sale_lines').addColumn('cost_micros', 'bigint').execute();
  await sql`update sale_lines set cost_micros = (select coalesce(sum(m.value_micros), 0) from movements m where m.document_id = sale_lines.sale_id and m.document_line_id = sale_lines.id and m.kind = 'sale')`.execute(db);
  await db.schema.createIndex('movements_sales_time').on('movements').columns(['effective_at', 'value_micros']).where(sql.ref('kind'), '=', 'sale').execute();
  await db.schema.createIndex('sale_lines_cost_unknown').on('sale_lines').columns(['id']).where(sql.ref('cost_micros'), 'is', null).execute();
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
