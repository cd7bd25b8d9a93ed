import { renderBarcodePng } from './barcodes.ts';
import { sheetLayouts, templateSizeMm, type LabelContent, type LabelLayout } from './label-templates.ts';
import { openPdf } from '../../platform/pdf.ts';

/**
 * Labels as a PDF, with the same library as the purchase-order PDF: either sheets laid out for
 * Avery 5160 / L7160 stock (one label per cell, row by row) or one page per label at the
 * template's own size, for a desktop label printer. Barcodes are bwip-js PNGs placed in the
 * label's lower part at their aspect ratio. Streams stay uncompressed so the text is searchable.
 */
const pt = (mm: number) => (mm * 72) / 25.4;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

// One render per distinct barcode in a document: a sheet of 30 tags of one item draws one PNG.
type PngCache = Map<string, Promise<Buffer>>;

async function drawLabel(pdf: PDFKit.PDFDocument, label: LabelContent, box: Box, cache: PngCache): Promise<void> {
  const pad = Math.min(pt(2), box.width * 0.05);
  const inner = { x: box.x + pad, y: box.y + pad, width: box.width - 2 * pad, height: box.height - 2 * pad };
  const scale = inner.height / pt(36);
  let y = inner.y;
  const text = (value: string, size: number, bold = false, lines = 1) => {
    const fontSize = Math.max(5, size * scale);
    pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(fontSize);
    pdf.text(value, inner.x, y, { width: inner.width, height: fontSize * 1.2 * lines, ellipsis: true, lineBreak: lines > 1 });
    y += fontSize * 1.2 * Math.min(lines, Math.ceil(pdf.heightOfString(value, { width: inner.width }) / (fontSize * 1.2)));
  };
  if (label.template === 'bin') {
    text(label.title, 22, true);
    text(label.subtitle, 8);
  } else {
    text(label.title, 9, true, 2);
    text(label.subtitle, 6);
  }
  if (label.price) text(label.price, 16, true);
  if (label.unitPrice) text(label.unitPrice, 6);
  if (!label.barcode) return;
  const room = { width: inner.width, height: inner.y + inner.height - y };
  if (room.height < pt(5)) return;
  const key = `${label.barcode.symbology}\u0000${label.barcode.text}`;
  if (!cache.has(key)) cache.set(key, renderBarcodePng(label.barcode, 10));
  const png = await cache.get(key)!;
  const image = (pdf as unknown as { openImage(src: Buffer): { width: number; height: number } }).openImage(png);
  const fit = Math.min(room.width / image.width, room.height / image.height);
  const width = image.width * fit;
  pdf.image(png, inner.x + (inner.width - width) / 2, y, { width, height: image.height * fit });
}

export async function renderLabelsPdf(labels: readonly LabelContent[], layout: LabelLayout, title: string): Promise<Buffer> {
  const single = layout === 'single';
  const first = single ? templateSizeMm[labels[0]?.template ?? 'product'] : sheetLayouts[layout].page;
  const { pdf, bytes } = await openPdf({ size: [pt(first.width), pt(first.height)], margin: 0, autoFirstPage: false, compress: false, info: { Title: title } });
  const cache: PngCache = new Map();
  if (single) {
    for (const label of labels) {
      const size = templateSizeMm[label.template];
      pdf.addPage({ size: [pt(size.width), pt(size.height)], margin: 0 });
      await drawLabel(pdf, label, { x: 0, y: 0, width: pt(size.width), height: pt(size.height) }, cache);
    }
  } else {
    const sheet = sheetLayouts[layout];
    const perPage = sheet.columns * sheet.rows;
    for (let i = 0; i < labels.length; i += 1) {
      if (i % perPage === 0) pdf.addPage({ size: [pt(sheet.page.width), pt(sheet.page.height)], margin: 0 });
      const cell = i % perPage;
      const column = cell % sheet.columns;
      const row = Math.floor(cell / sheet.columns);
      const box = { x: pt(sheet.left + column * sheet.pitchX), y: pt(sheet.top + row * sheet.pitchY), width: pt(sheet.label.width), height: pt(sheet.label.height) };
      await drawLabel(pdf, labels[i]!, box, cache);
    }
  }
  pdf.end();
  return bytes;
}
