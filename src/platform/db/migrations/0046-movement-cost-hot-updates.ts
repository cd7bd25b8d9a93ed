import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.ts';

/**
 * The share of a new page that inserts fill (PostgreSQL's default is 100). Measured on the re-cost
 * benchmark (one item, half of each page's rows rewritten at once, the worst case): at 100, 4 % of
 * the rewrites were HOT; at 80, 94 %; at 70, all but a few. 80 costs a quarter more pages for the
 * movements written from now on (70: 43 %). A shop's re-cost rewrites fewer rows of a page (its
 * item's, among every other item's movements), so it should find room more often than the benchmark.
 */
const FILLFACTOR = 80;

/**
 * PostgreSQL only. Re-costing rewrites the cost of many posted movements at once (a back-dated
 * receipt: the thousand sales after the item's last checkpoint). PostgreSQL can write such an
 * update as a heap-only tuple (HOT) — the new version on the same page, no index touched — only
 * when no indexed column changes and the page has room. Two indexes carried `value_micros`
 * (0038's `movements_document_line`, 0041's `movements_sales_time`), so every rewritten cost added
 * an entry to each of the table's indexes; and pages were filled to the brim. Here both indexes
 * lose the value, and new pages of `movements` keep room for rewritten versions.
 *
 * SQLite keeps its indexes as they are: it has no HOT, and its reports read the values from them.
 * The pages already written stay as full as they were (rewriting the table would lock the
 * ledger for as long as it takes); the room applies to the pages written from now on, where the
 * recent movements a back-dated entry re-costs live.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await db.schema.dropIndex('movements_document_line').execute();
  await db.schema.createIndex('movements_document_line').on('movements').columns(['document_id', 'document_line_id', 'kind']).execute();
  await db.schema.dropIndex('movements_sales_time').execute();
  await db.schema.createIndex('movements_sales_time').on('movements').columns(['effective_at']).where(sql.ref('kind'), '=', 'sale').execute();
  await sql.raw(`alter table movements set (fillfactor = ${FILLFACTOR})`).execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Stockroom migrations are forward-only; restore a backup to go back.');
}
