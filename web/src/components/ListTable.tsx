import { useRef, type TableHTMLAttributes } from 'react';
import { downloadCsv } from '../lib/csv.ts';

/**
 * A list's table with an "Export CSV" button under it, for the lists that are not a PagedList
 * (which has its own): an item's lots, a receipt's lines, the sync log… The file holds what the
 * table shows, column by column under its headings, so it matches the screen the owner exported
 * from; a figure shown with thousands separators is written as a plain number.
 */
export function ListTable({ exportName, children, ...props }: TableHTMLAttributes<HTMLTableElement> & { exportName: string }) {
  const table = useRef<HTMLTableElement>(null);
  return (
    <>
      <table ref={table} {...props}>
        {children}
      </table>
      <div className="table-export">
        <button type="button" className="ghost" title="The rows shown, as a CSV file" onClick={() => table.current && downloadCsv(`${exportName}.csv`, tableRows(table.current))}>
          Export CSV
        </button>
      </div>
    </>
  );
}

const groupedNumber = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;

/** One record per body row, keyed by the column headings (a repeated or empty heading gets its column number). */
export function tableRows(table: HTMLTableElement): Array<Record<string, string>> {
  const cellsOf = (row: Element) => [...row.children].filter((cell): cell is HTMLTableCellElement => cell.tagName === 'TD' || cell.tagName === 'TH');
  const headRow = table.querySelector(':scope > thead > tr');
  const headings = headRow ? cellsOf(headRow).map(cellText) : [];
  const keys = headings.map((heading, i) => (heading === '' || headings.indexOf(heading) !== i ? `${heading || 'column'} ${i + 1}` : heading));
  return [...table.querySelectorAll(':scope > tbody > tr')].map((row) => {
    const record: Record<string, string> = {};
    cellsOf(row).forEach((cell, i) => {
      record[keys[i] ?? `column ${i + 1}`] = cellText(cell);
    });
    return record;
  });
}

/** What a cell shows: its text, or the value of the field in it; grouped figures without their separators. */
function cellText(cell: HTMLTableCellElement): string {
  const field = cell.querySelector('input, select, textarea') as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null;
  const text = (field && !(field instanceof HTMLInputElement && (field.type === 'checkbox' || field.type === 'radio')) ? field.value : (cell.textContent ?? '')).replace(/\s+/g, ' ').trim();
  return groupedNumber.test(text) ? text.replaceAll(',', '') : text;
}
