import { PassThrough } from 'node:stream';
import { csvText, neutraliseFormula } from '../../platform/csv.ts';
import { formatMoney } from '../../platform/money.ts';
import { formatQuantity, quantityToNumber } from '../../platform/quantity.ts';

/**
 * Every standard report is one table: typed columns, rows of exact integers (money in micros,
 * quantities in thousandths, percentages in basis points of a percent), totals, and per row a
 * drill-down — the API query that lists the movements or documents behind the figure. One shape
 * lets one renderer serve JSON, CSV and XLSX, and lets one rule take cost columns away from staff.
 */

export type ColumnType = 'text' | 'date' | 'int' | 'qty' | 'money' | 'percent' | 'decimal';

export interface ReportColumn {
  key: string;
  label: string;
  type: ColumnType;
  /** A cost, a stock value or a margin: left out for those who may not see costs. */
  cost?: boolean;
}

/** Money: micros; qty: thousandths; percent: hundredths of a percent (1234 = 12.34 %); decimal: hundredths. */
export type Cell = string | number | null;

export interface ReportRow {
  cells: Record<string, Cell>;
  /** The API query behind this row's figures (a movements or sales list), or null. */
  drill: string | null;
}

export interface ReportTable {
  report: string;
  title: string;
  /** What the report covered: the period, as-of instants, the filters. Shown above the table. */
  meta: Record<string, string | number | null>;
  columns: ReportColumn[];
  rows: ReportRow[];
  totals: Record<string, Cell> | null;
  /** Rows were cut at the limit: the export or a narrower filter gives the rest. */
  truncated: boolean;
}

/** The table as a person who may or may not see costs may read it. */
export function visibleTable(table: ReportTable, costs: boolean): ReportTable {
  if (costs) return table;
  const columns = table.columns.filter((c) => !c.cost);
  const keep = new Set(columns.map((c) => c.key));
  const pick = (cells: Record<string, Cell>) => Object.fromEntries(Object.entries(cells).filter(([k]) => keep.has(k)));
  return { ...table, columns, rows: table.rows.map((r) => ({ ...r, cells: pick(r.cells) })), totals: table.totals && pick(table.totals) };
}

/** One cell as JSON and CSV show it: money as a decimal string, quantities as numbers, percentages with two decimals. */
export function formatCell(type: ColumnType, value: Cell): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  switch (type) {
    case 'money':
      return formatMoney(value);
    case 'qty':
      return quantityToNumber(value);
    case 'percent':
    case 'decimal':
      return hundredths(value);
    default:
      return value;
  }
}

function hundredths(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function tableJson(table: ReportTable) {
  const format = (cells: Record<string, Cell>) => Object.fromEntries(table.columns.filter((c) => c.key in cells).map((c) => [c.key, formatCell(c.type, cells[c.key]!)]));
  return {
    report: table.report,
    title: table.title,
    meta: table.meta,
    columns: table.columns.map((c) => ({ key: c.key, label: c.label, type: c.type })),
    data: table.rows.map((r) => ({ ...format(r.cells), drill: r.drill })),
    totals: table.totals ? format(table.totals) : null,
    truncated: table.truncated,
  };
}

const BOM = '\uFEFF';

function csvValue(type: ColumnType, value: Cell): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (type === 'qty') return formatQuantity(value);
  const formatted = formatCell(type, value);
  return formatted === null ? null : String(formatted);
}

/** RFC 4180 with CRLF, UTF-8 with a byte-order mark so spreadsheet apps read accents right. */
export function tableCsv(table: ReportTable): string {
  const header = table.columns.map((c) => c.label);
  const rows = table.rows.map((r) => table.columns.map((c) => csvValue(c.type, r.cells[c.key] ?? null)));
  const totals = table.totals ? [table.columns.map((c, i) => (i === 0 && table.totals![c.key] == null ? 'Totals' : csvValue(c.type, table.totals![c.key] ?? null)))] : [];
  return BOM + csvText([header, ...rows, ...totals]);
}

const numberFormats: Partial<Record<ColumnType, string>> = { money: '#,##0.00', qty: '#,##0.###', percent: '0.00', decimal: '0.00', int: '0', date: 'yyyy-mm-dd' };

/** The value a spreadsheet cell holds: numbers as numbers, dates as dates, text made inert. */
export function xlsxValue(type: ColumnType, value: Cell): string | number | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    if (type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T00:00:00Z`);
    return neutraliseFormula(value);
  }
  switch (type) {
    case 'money':
      return value / 1_000_000;
    case 'qty':
      return value / 1000;
    case 'percent':
    case 'decimal':
      return value / 100;
    default:
      return value;
  }
}

/**
 * The table as an XLSX workbook, written through exceljs's streaming writer (rows are committed
 * as they are written, so a big export does not hold the whole sheet as objects). exceljs is
 * loaded with the first workbook: it adds about 27 MiB to the server's resident memory.
 */
export async function tableXlsx(table: ReportTable): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(table.title.slice(0, 31).replace(/[\\/?*[\]:]/g, ' '));
  sheet.columns = table.columns.map((c) => ({ header: neutraliseFormula(c.label), key: c.key, width: c.type === 'text' ? 28 : 14, style: numberFormats[c.type] ? { numFmt: numberFormats[c.type] } : {} }));
  for (const row of table.rows) sheet.addRow(table.columns.map((c) => xlsxValue(c.type, row.cells[c.key] ?? null))).commit();
  if (table.totals) {
    const totals = table.totals;
    sheet.addRow(table.columns.map((c, i) => (i === 0 && totals[c.key] == null ? 'Totals' : xlsxValue(c.type, totals[c.key] ?? null)))).commit();
  }
  sheet.commit();
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
