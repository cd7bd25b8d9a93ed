import { toIso } from '../../platform/clock.ts';
import { formatQuantity } from '../../platform/quantity.ts';
import type { CountRecord } from './counts.service.ts';
import { openPdf } from '../../platform/pdf.ts';

/**
 * The printable count sheet: one page set per sheet, bins in walking order (the order the lines
 * were laid out in), a box to write the count in, and the expected quantity only when the count is
 * guided. Rendered from data already loaded, so no transaction waits on it. Streams are left
 * uncompressed so the text can be searched.
 */

const margin = 48;
const columns = [
  { title: 'Bin', x: 48, width: 90 },
  { title: 'SKU', x: 140, width: 90 },
  { title: 'Item', x: 232, width: 150 },
  { title: 'Lot', x: 384, width: 60 },
  { title: 'Expected', x: 446, width: 44 },
  { title: 'Counted', x: 492, width: 55 },
] as const;

export async function renderCountSheetPdf(record: CountRecord, shopName: string, sheetId?: string): Promise<Buffer> {
  const { count } = record;
  const { pdf, bytes } = await openPdf({ size: 'A4', margin, compress: false, info: { Title: `Count sheet ${count.number}`, Author: shopName } });
  const guided = count.mode === 'guided';
  const sheets = record.sheets.filter((s) => !sheetId || s.id === sheetId);
  sheets.forEach((sheet, index) => {
    if (index > 0) pdf.addPage();
    pdf.font('Helvetica-Bold').fontSize(16).text(`${shopName} — count ${count.number}`, margin, margin);
    pdf.font('Helvetica').fontSize(9).text(`Sheet ${sheet.sheet_no}: ${sheet.name}   ·   ${count.kind} count, ${count.mode}   ·   created ${toIso(count.created_at).slice(0, 16).replace('T', ' ')} UTC`);
    pdf.text('Write what is on the shelf and the time you counted the bin. Count every unit, including opened cases.');
    let y = pdf.y + 12;
    const header = () => {
      pdf.font('Helvetica-Bold').fontSize(9);
      for (const c of columns) if (guided || c.title !== 'Expected') pdf.text(c.title, c.x, y, { width: c.width });
      y += 14;
      pdf.moveTo(margin, y - 3).lineTo(547, y - 3).stroke();
      pdf.font('Helvetica').fontSize(9);
    };
    header();
    const lines = record.lines.filter((l) => l.sheet_id === sheet.id && l.status === 'open');
    for (const line of lines) {
      if (y > 780) {
        pdf.addPage();
        y = margin;
        header();
      }
      const cells = [line.location_code, line.sku, line.item_name, line.lot_code ?? '', guided && line.expected_qty !== null ? formatQuantity(line.expected_qty) : '', ''];
      cells.forEach((text, i) => {
        const c = columns[i]!;
        if (c.title === 'Expected' && !guided) return;
        pdf.text(text, c.x, y, { width: c.width, height: 12, ellipsis: true, lineBreak: false });
      });
      pdf.rect(492, y - 2, 55, 13).stroke();
      y += 16;
    }
    if (lines.length === 0) pdf.text('Nothing left to count on this sheet.', margin, y);
  });
  if (sheets.length === 0) pdf.font('Helvetica').fontSize(10).text('No such sheet.', margin, margin);
  pdf.end();
  return bytes;
}
