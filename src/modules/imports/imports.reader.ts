import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type ExcelJS from 'exceljs';

/**
 * Rows of a CSV or XLSX file as arrays of text, read as a stream: csv-parse for CSV (quoting,
 * embedded line breaks, a byte-order mark), exceljs's streaming reader for XLSX (the first sheet
 * only), so a 100,000-row file is never held whole as objects. Every cell becomes text here;
 * numbers, dates and money are parsed later by the same rules as the API's JSON.
 */

export type FileFormat = 'csv' | 'xlsx';

/** A file is XLSX when it starts as a zip archive does; anything else is read as CSV. */
export function detectFormat(head: Buffer): FileFormat {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04 ? 'xlsx' : 'csv';
}

export type Source = () => Readable;

export function bufferSource(buffer: Buffer): Source {
  return () => Readable.from([buffer]);
}

export async function* readRows(source: Source, format: FileFormat): AsyncGenerator<string[]> {
  if (format === 'csv') yield* csvRows(source());
  else yield* xlsxRows(source());
}

async function* csvRows(stream: Readable): AsyncGenerator<string[]> {
  const parser = stream.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1_000_000 }));
  for await (const record of parser) yield (record as string[]).map((cell) => cell);
}

/** exceljs is loaded with the first spreadsheet, not when the server starts. */
async function* xlsxRows(stream: Readable): AsyncGenerator<string[]> {
  const { default: exceljs } = await import('exceljs');
  const reader = new exceljs.stream.xlsx.WorkbookReader(stream, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'emit' });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = (row as ExcelJS.Row).values as unknown[];
      // exceljs numbers cells from 1; index 0 is always empty.
      const cells = values.slice(1).map(cellText);
      for (let i = 0; i < cells.length; i += 1) if (cells[i] === undefined) cells[i] = '';
      if (cells.some((c) => c !== '')) yield cells;
    }
    return;
  }
}

/** A cell as text: numbers in their shortest exact decimal form, dates as YYYY-MM-DD, formulas by their cached result. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: string };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result);
    if (typeof v.text === 'string') return v.text;
    if (v.error) return v.error;
  }
  return String(value);
}

/**
 * A spreadsheet number as the decimal a person typed: 12.5 stays "12.5", and a float that is
 * nearly a short decimal (12.499999999999998 from a division) is given back as that decimal.
 */
function numberText(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const short = Number(n.toPrecision(15));
  return String(short);
}
