import { toIso } from '../../platform/clock.ts';
import { formatMoney } from '../../platform/money.ts';
import type { PurchaseOrderDocument } from './purchase-order-export.ts';
import { openPdf } from '../../platform/pdf.ts';

/**
 * The vendor's copy of a purchase order as a PDF: the shop and delivery address, the vendor,
 * the order number, dates and revision, a table of lines with the vendor's SKUs, quantities,
 * units, prices and amounts, the totals, and the terms. Rendered from data already loaded, so
 * no transaction waits on it. Streams are left uncompressed: the file stays small and its text
 * can be searched.
 */

const margin = 48;
const columns = [
  { key: 'lineNo', title: '#', x: 48, width: 22, align: 'left' },
  { key: 'vendorSku', title: 'Vendor SKU', x: 72, width: 80, align: 'left' },
  { key: 'name', title: 'Description', x: 156, width: 150, align: 'left' },
  { key: 'qty', title: 'Qty', x: 308, width: 48, align: 'right' },
  { key: 'unit', title: 'Unit', x: 360, width: 40, align: 'left' },
  { key: 'unitPrice', title: 'Unit price', x: 402, width: 64, align: 'right' },
  { key: 'amount', title: 'Amount', x: 470, width: 77, align: 'right' },
] as const;

export async function renderPurchaseOrderPdf(doc: PurchaseOrderDocument): Promise<Buffer> {
  const { pdf, bytes } = await openPdf({ size: 'A4', margin, compress: false, info: { Title: `Purchase order ${doc.order.number}`, Author: doc.shopName } });
  const order = doc.order;
  const day = (ms: number | null) => (ms === null ? '—' : toIso(ms).slice(0, 10));

  pdf.font('Helvetica-Bold').fontSize(18).text(doc.shopName, margin, margin);
  pdf.font('Helvetica').fontSize(10).text('PURCHASE ORDER', { continued: false });
  pdf.font('Helvetica-Bold').fontSize(14).text(order.number, 380, margin, { width: 167, align: 'right' });
  pdf.font('Helvetica').fontSize(9);
  pdf.text(`Revision ${order.revision}`, 380, pdf.y, { width: 167, align: 'right' });
  pdf.text(`Date: ${day(order.sent_at ?? order.created_at)}`, 380, pdf.y, { width: 167, align: 'right' });
  pdf.text(`Expected delivery: ${order.expected_on ?? '—'}`, 380, pdf.y, { width: 167, align: 'right' });
  pdf.text(`Currency: ${order.currency}`, 380, pdf.y, { width: 167, align: 'right' });

  const top = 130;
  pdf.font('Helvetica-Bold').fontSize(10).text('Vendor', margin, top);
  pdf.font('Helvetica').fontSize(9).text([order.vendor.name, order.vendor.contact_name, order.vendor.email, order.vendor.phone].filter(Boolean).join('\n'), margin, pdf.y, { width: 230 });
  pdf.font('Helvetica-Bold').fontSize(10).text('Deliver to', 310, top);
  pdf.font('Helvetica').fontSize(9).text([`${doc.shopName} — ${doc.deliveryName}`, doc.deliveryAddress].filter(Boolean).join('\n'), 310, pdf.y, { width: 237 });

  let y = 215;
  const header = () => {
    pdf.font('Helvetica-Bold').fontSize(9);
    for (const c of columns) if (doc.withPrices || (c.key !== 'unitPrice' && c.key !== 'amount')) pdf.text(c.title, c.x, y, { width: c.width, align: c.align });
    y += 14;
    pdf.moveTo(margin, y - 3).lineTo(547, y - 3).stroke();
    pdf.font('Helvetica').fontSize(9);
  };
  header();
  for (const line of doc.lines) {
    const values: Record<string, string> = { ...line, lineNo: String(line.lineNo), vendorSku: line.vendorSku ?? line.sku, name: line.name || line.sku };
    const height = Math.max(12, pdf.heightOfString(values.name!, { width: 150 }) + 2);
    if (y + height > pdf.page.height - margin - 90) {
      pdf.addPage();
      pdf.font('Helvetica').fontSize(8).text(`${order.number} (continued)`, margin, margin - 20, { width: 499, align: 'right' });
      y = margin;
      header();
    }
    for (const c of columns) if (doc.withPrices || (c.key !== 'unitPrice' && c.key !== 'amount')) pdf.text(values[c.key] ?? '', c.x, y, { width: c.width, align: c.align });
    y += height;
  }
  pdf.moveTo(margin, y + 2).lineTo(547, y + 2).stroke();
  y += 8;

  if (doc.withPrices) {
    const total = (label: string, micros: number, bold = false) => {
      pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
      pdf.text(label, 360, y, { width: 100, align: 'right' });
      pdf.text(`${formatMoney(micros)} ${order.currency}`, 462, y, { width: 85, align: 'right' });
      y += 13;
    };
    total('Subtotal', order.subtotalMicros);
    total('Tax', order.taxMicros);
    total('Shipping', order.shipping_micros);
    total('Total', order.totalMicros, true);
  }
  y += 10;
  pdf.font('Helvetica').fontSize(9);
  if (order.terms) pdf.text(`Terms: ${order.terms}`, margin, y, { width: 499 });
  if (order.notes) pdf.text(`Notes: ${order.notes}`, margin, pdf.y + 4, { width: 499 });
  pdf.text(`Please quote ${order.number} on your delivery note and invoice.`, margin, pdf.y + 8, { width: 499 });
  pdf.end();
  return bytes;
}
