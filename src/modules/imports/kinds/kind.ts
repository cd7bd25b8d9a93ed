import type { z } from 'zod';
import type { ServiceContext } from '../../../platform/context.ts';
import type { Trx } from '../../../platform/db/transaction.ts';
import type { BulkOutcome } from '../../catalog/index.ts';
import type { ReportTable } from '../../reports/index.ts';
import type { SiteResolver } from '../imports.check.ts';
import { restoreText, type RowError } from '../imports.rows.ts';

/**
 * An import kind other than the catalogue: vendors, vendor prices, min/max levels, opening stock
 * with lots, items' units of measure. Each has one layout (the one its export writes), a pure row parser that validates by
 * the API's own schemas, a batch check against the database and the rest of the file, an apply
 * that upserts and reports each row created, updated or unchanged, and an export whose file
 * imports back as a no-op.
 */

export const KIND_NAMES = ['vendors', 'vendor-prices', 'stock-levels', 'opening-stock', 'units'] as const;
export type KindName = (typeof KIND_NAMES)[number];

export type ColumnType = ReportTable['columns'][number]['type'];

export interface KindColumn {
  key: string;
  label: string;
  type: ColumnType;
  required?: boolean;
  /** Left out of the export for those who may not see costs. */
  cost?: boolean;
}

export interface KindEnv {
  sites: SiteResolver;
  currency: string;
}

/** What checkBatch carries from one batch to the next: keys already seen in the file. */
export type FileKeys = Map<string, Set<string>>;

export function seen(state: FileKeys, set: string, key: string): boolean {
  let keys = state.get(set);
  if (!keys) state.set(set, (keys = new Set()));
  if (keys.has(key)) return true;
  keys.add(key);
  return false;
}

export interface KindRow {
  row: number;
}

/** The cells of one row by column key: undefined where the file has no such column. */
export class Cells {
  constructor(
    private readonly cells: readonly string[],
    private readonly index: ReadonlyMap<string, number>,
    readonly labels: ReadonlyMap<string, string>,
  ) {}

  get(key: string): string | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    return restoreText((this.cells[i] ?? '').trim());
  }

  /** The column as the file names it, for error messages. */
  label(key: string): string {
    return this.labels.get(key) ?? key;
  }

  empty(): boolean {
    return this.cells.every((c) => c.trim() === '');
  }
}

export type Fail = (key: string | null, code: string, message: string) => void;

export interface ImportKind<R extends KindRow> {
  name: KindName;
  title: string;
  columns: readonly KindColumn[];
  /** Turns a row into what is written, or reports its problems through fail; pure. */
  parse(row: number, cells: Cells, fail: Fail): R | null;
  /** The checks that need the database or earlier rows; errors name column keys. */
  check(ctx: ServiceContext, rows: readonly R[], state: FileKeys, env: KindEnv): Promise<Array<Omit<RowError, 'column'> & { key: string | null }>>;
  /** Writes a checked batch inside its transaction, one outcome per row. */
  apply(ctx: ServiceContext & { trx: Trx }, rows: readonly R[], env: KindEnv, jobId: string): Promise<BulkOutcome[]>;
  /** Every record in this kind's layout, cells keyed by column key. */
  exportRows(ctx: ServiceContext): Promise<Array<Record<string, string | number | null>>>;
}

/** Zod's issues as row errors on the columns their fields came from. */
export function zodFailures(error: z.ZodError, body: Record<string, unknown>, fail: Fail): void {
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '');
    const given = body[field];
    fail(field || null, given === undefined || given === '' ? 'required' : 'invalid', issue.message);
  }
}

/** A cell as the JSON number the API takes where it looks like one; other text is passed on for the schema to refuse. */
export function numberCell(text: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** "yes"/"no" (and true/false, 1/0, y/n) as a boolean; undefined when it is none of them. */
export function booleanCell(text: string): boolean | undefined {
  const t = text.toLowerCase();
  if (['yes', 'y', 'true', '1'].includes(t)) return true;
  if (['no', 'n', 'false', '0'].includes(t)) return false;
  return undefined;
}

export const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** "12" and "12.5" are amounts as the API takes them; a currency sign or thousands separators are not part of the amount. */
export function moneyCell(text: string): string {
  return text.replace(/^[$€£]/, '').replace(/,(?=\d{3}(\D|$))/g, '');
}
