/**
 * CSV as spreadsheets read it (RFC 4180, CRLF line ends), safe to open: a cell that a spreadsheet
 * would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a
 * leading apostrophe, which makes it text. A plain number keeps its sign and stays a number: a
 * negative quantity or amount is data, not a formula.
 */

const formulaStart = /^[=+\-@\t\r]/;
const plainNumber = /^-?\d+(\.\d+)?$/;
const needsQuotes = /[",\r\n]/;

/** Text a spreadsheet would run as a formula, made inert with a leading apostrophe; plain numbers stay as they are. */
export function neutraliseFormula(text: string): string {
  return formulaStart.test(text) && !plainNumber.test(text) ? `'${text}` : text;
}

/** One cell: formula-like text made inert, then quoted when it holds a quote, comma or line break. */
export function csvCell(value: string | null): string {
  const text = neutraliseFormula(value ?? '');
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of cells as one CSV text, each row ended by CRLF. */
export function csvText(rows: ReadonlyArray<ReadonlyArray<string | null>>): string {
  return rows.map((row) => row.map(csvCell).join(',') + '\r\n').join('');
}
