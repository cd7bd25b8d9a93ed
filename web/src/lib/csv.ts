/**
 * The rows a list shows, as a CSV file the browser downloads: RFC 4180 with CRLF, UTF-8 with a
 * byte-order mark, and cells a spreadsheet would run as a formula (starting with = + - @, a tab or a
 * carriage return) made text with a leading apostrophe — a plain negative number stays a number.
 * Top-level fields only; a nested object is written as its `id`, `code` or `name` when it has one.
 */

const formulaStart = /^[=+\-@\t\r]/;
const plainNumber = /^-?\d+(\.\d+)?$/;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? nestedLabel(value as Record<string, unknown>) : String(value);
  if (formulaStart.test(text) && !plainNumber.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function nestedLabel(value: Record<string, unknown>): string {
  if (Array.isArray(value)) return String(value.length);
  for (const key of ['id', 'code', 'name', 'label']) if (typeof value[key] === 'string') return value[key] as string;
  return '';
}

export function rowsToCsv(rows: ReadonlyArray<Record<string, unknown>>): string {
  const keys: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!keys.includes(key)) keys.push(key);
  const lines = [keys.map(csvCell).join(','), ...rows.map((row) => keys.map((k) => csvCell(row[k])).join(','))];
  return `\uFEFF${lines.map((l) => `${l}\r\n`).join('')}`;
}

export function downloadCsv(fileName: string, rows: ReadonlyArray<Record<string, unknown>>): void {
  const blob = new Blob([rowsToCsv(rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
