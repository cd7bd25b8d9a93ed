import { toIso } from '../../platform/clock.ts';
import { formatMoney } from '../../platform/money.ts';
import { formatQuantity } from '../../platform/quantity.ts';
import type { TransferRecord } from './transfers.service.ts';
import { openPdf } from '../../platform/pdf.ts';

/**
 * The packing slip that travels with a transfer: from and to, the number as a reference to scan
 * or type at the destination, and per line what was asked for, what is on its way (by lot or
 * serial) and a box to tick on arrival. The carried value is printed only for someone who may see
 * costs; a slip printed by staff has none. Rendered from data already loaded, outside any
 * transaction.
 */

const margin = 48;

export async function renderPackingSlipPdf(record: TransferRecord, withValues: boolean): Promise<Buffer> {
  const t = record.transfer;
  const { pdf, bytes } = await openPdf({ size: 'A4', margin, compress: false, info: { Title: `Packing slip ${t.number}` } });
  const day = (ms: number | null) => (ms === null ? '—' : toIso(ms).slice(0, 10));

  pdf.font('Helvetica-Bold').fontSize(18).text('PACKING SLIP', margin, margin);
  pdf.font('Helvetica-Bold').fontSize(14).text(t.number, 380, margin, { width: 167, align: 'right' });
  pdf.font('Helvetica').fontSize(9);
  pdf.text(`Status: ${t.status}`, 380, pdf.y, { width: 167, align: 'right' });
  pdf.text(`Shipped: ${day(t.first_shipped_at)}`, 380, pdf.y, { width: 167, align: 'right' });

  const top = 110;
  pdf.font('Helvetica-Bold').fontSize(10).text('From', margin, top);
  pdf.font('Helvetica').fontSize(9).text(`${record.sourceSite.code} — ${record.sourceSite.name}`, margin, pdf.y, { width: 230 });
  pdf.font('Helvetica-Bold').fontSize(10).text('To', 310, top);
  pdf.font('Helvetica').fontSize(9).text(`${record.destinationSite.code} — ${record.destinationSite.name}\nInto ${record.destinationBin.full_code}`, 310, pdf.y, { width: 237 });

  const cols = withValues
    ? [['#', 48, 20], ['SKU', 70, 90], ['Item', 162, 150], ['Asked', 314, 45], ['Shipped', 361, 50], ['Value', 413, 80], ['Got', 500, 47]]
    : [['#', 48, 20], ['SKU', 70, 100], ['Item', 172, 190], ['Asked', 364, 50], ['Shipped', 416, 60], ['Got', 480, 67]];
  let y = 170;
  const row = (values: string[], bold = false) => {
    pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    const height = Math.max(12, pdf.heightOfString(values[2] ?? '', { width: cols[2]![2] as number }) + 2);
    if (y + height > pdf.page.height - margin - 40) {
      pdf.addPage();
      y = margin;
    }
    values.forEach((v, i) => pdf.text(v, cols[i]![1] as number, y, { width: cols[i]![2] as number }));
    y += height;
  };
  row(cols.map((c) => c[0] as string), true);
  for (const line of record.lines) {
    const shippedLots = record.allocations.filter((a) => a.line_id === line.id && a.qty_shipped > 0 && a.lotCode);
    const name = shippedLots.length ? `${line.name}\n${shippedLots.map((a) => `${a.lotCode} × ${formatQuantity(a.qty_shipped)}`).join(', ')}` : line.name;
    const values = [String(line.line_no), line.sku, name, formatQuantity(line.qty_requested), formatQuantity(line.qty_shipped)];
    if (withValues) values.push(formatMoney(line.value_shipped_micros));
    values.push('[   ]');
    row(values);
  }
  pdf.moveTo(margin, y + 2).lineTo(547, y + 2).stroke();
  pdf.font('Helvetica').fontSize(9);
  if (t.note) pdf.text(`Note: ${t.note}`, margin, y + 10, { width: 499 });
  pdf.text(`Receive against ${t.number}: scan each item at the destination, mark short, extra and damaged units.`, margin, pdf.y + 8, { width: 499 });
  pdf.end();
  return bytes;
}
