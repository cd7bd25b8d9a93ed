import { describe, expect, it } from 'vitest';
import { decodeLuminance } from '../../../test/support/barcode-decode.ts';
import { renderPdfPages, type RenderedPage } from '../../../test/support/pdf-render.ts';
import { gs1ElementString } from './barcodes.ts';
import { renderLabelsPdf } from './label-pdf.ts';
import { sheetLayouts, templateSizeMm, type LabelContent, type LabelLayout } from './label-templates.ts';

/**
 * Label PDFs as a printer sees them: every page rendered to pixels by pdf.js, every label's
 * barcode read back with @zxing/library from its own cell, and the ink checked to stay inside
 * the cells of the Avery layout (none in the margins, the gutters or the empty cells).
 */

// A laser printer's resolution: at 200 dpi the GS1-128 bars of an L7160 cell are under a pixel wide and do not decode.
const DPI = 300;

const labels: Array<{ label: LabelContent; format: string; text: string }> = [
  {
    label: { template: 'shelf_tag', title: 'Wool gloves M', subtitle: 'GLOVE-WOOL-M', price: '12.99 USD', unitPrice: null, barcode: { symbology: 'ean13', text: '4006381333931' } },
    format: 'EAN_13',
    text: '4006381333931',
  },
  {
    label: { template: 'product', title: 'Loose tea', subtitle: 'TEA-LOOSE-250', price: null, unitPrice: null, barcode: { symbology: 'code128', text: 'TEA-LOOSE-250' } },
    format: 'CODE_128',
    text: 'TEA-LOOSE-250',
  },
  {
    label: { template: 'product', title: 'Milk 1 l', subtitle: 'MILK-1L lot L2407A', price: null, unitPrice: null, barcode: { symbology: 'gs1-128', text: gs1ElementString('4006381333931', 'L2407A', '2027-03-31') } },
    format: 'CODE_128',
    // GS1-128: (01) GTIN-14, (17) expiry YYMMDD, (10) lot — the element string without parentheses.
    text: '0104006381333931' + '17270331' + '10L2407A',
  },
  {
    label: { template: 'bin', title: 'A-01-03', subtitle: 'MAIN · Aisle A', price: null, unitPrice: null, barcode: { symbology: 'qrcode', text: 'stockroom:bin:loc_01HBIN0103' } },
    format: 'QR_CODE',
    text: 'stockroom:bin:loc_01HBIN0103',
  },
];

interface Cell {
  x: number;
  y: number;
  width: number;
  height: number;
}

function cellsOf(layout: Exclude<LabelLayout, 'single'>): Cell[] {
  const sheet = sheetLayouts[layout];
  const cells: Cell[] = [];
  for (let row = 0; row < sheet.rows; row += 1) {
    for (let column = 0; column < sheet.columns; column += 1) {
      cells.push({ x: sheet.left + column * sheet.pitchX, y: sheet.top + row * sheet.pitchY, width: sheet.label.width, height: sheet.label.height });
    }
  }
  return cells;
}

/** The barcode read from a label's own rectangle; GS1's FNC1 separators are dropped so the element string compares as text. */
function decodeCell(page: RenderedPage, cell: Cell): { format: string; text: string } {
  const { width, height, luminance } = page.crop(cell);
  const decoded = decodeLuminance(luminance, width, height);
  return { format: decoded.format, text: decoded.text.replace(/\u001d/g, '') };
}

/** Dark pixels on the page outside every cell, each cell shrunk by `inset` millimetres (the label's own padding). */
function inkOutside(page: RenderedPage, cells: readonly Cell[], inset: number): number {
  const px = (mm: number) => (mm * page.dpi) / 25.4;
  const boxes = cells.map((c) => ({ x0: px(c.x + inset), y0: px(c.y + inset), x1: px(c.x + c.width - inset), y1: px(c.y + c.height - inset) }));
  let outside = 0;
  for (let y = 0; y < page.height; y += 1) {
    for (let x = 0; x < page.width; x += 1) {
      if (page.luminance[y * page.width + x]! >= 200) continue;
      if (!boxes.some((b) => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1)) outside += 1;
    }
  }
  return outside;
}

describe('label PDFs rendered to pixels', () => {
  for (const layout of ['avery_5160', 'avery_l7160'] as const) {
    it(`${layout}: every cell's barcode decodes to its label's data, ink stays inside the cells, and the sheet runs over to a second page`, async () => {
      const sheet = sheetLayouts[layout];
      const perPage = sheet.columns * sheet.rows;
      // One full sheet and three labels on the next.
      const wanted = Array.from({ length: perPage + 3 }, (_, i) => labels[i % labels.length]!);
      const pdf = await renderLabelsPdf(
        wanted.map((w) => w.label),
        layout,
        'Labels',
      );
      const pages = await renderPdfPages(pdf, DPI);
      expect(pages).toHaveLength(2);
      const mmToPx = (mm: number) => Math.ceil((mm * DPI) / 25.4);
      expect(pages[0]!.width).toBeGreaterThanOrEqual(mmToPx(sheet.page.width) - 1);
      expect(pages[0]!.height).toBeGreaterThanOrEqual(mmToPx(sheet.page.height) - 1);
      const cells = cellsOf(layout);
      const seen: string[] = [];
      wanted.forEach((w, i) => {
        const page = pages[Math.floor(i / perPage)]!;
        const cell = cells[i % perPage]!;
        expect(page.darkPixels(cell), `cell ${i} has a label`).toBeGreaterThan(500);
        const decoded = decodeCell(page, cell);
        expect(decoded, `cell ${i}`).toEqual({ format: w.format, text: w.text });
        seen.push(decoded.format);
      });
      expect(new Set(seen)).toEqual(new Set(['EAN_13', 'CODE_128', 'QR_CODE']));
      // The cells after the last label are blank, and nothing is drawn in the margins or gutters
      // nor within a millimetre of a cell's edge (the label's padding is two).
      for (const cell of cells.slice(3)) expect(pages[1]!.darkPixels(cell)).toBe(0);
      for (const page of pages) expect(inkOutside(page, cells, 1)).toBe(0);
    }, 120_000);
  }

  it('single labels: one page per label at its template size, each barcode decoding back', async () => {
    const pdf = await renderLabelsPdf(
      labels.map((l) => l.label),
      'single',
      'Labels',
    );
    const pages = await renderPdfPages(pdf, 300);
    expect(pages).toHaveLength(labels.length);
    labels.forEach((w, i) => {
      const page = pages[i]!;
      const size = templateSizeMm[w.label.template];
      expect(Math.abs(page.width - (size.width * 300) / 25.4)).toBeLessThanOrEqual(1);
      expect(Math.abs(page.height - (size.height * 300) / 25.4)).toBeLessThanOrEqual(1);
      const whole = { x: 0, y: 0, width: size.width, height: size.height };
      expect(decodeCell(page, whole)).toEqual({ format: w.format, text: w.text });
      expect(inkOutside(page, [whole], 1)).toBe(0);
      expect(page.png().subarray(1, 4).toString('latin1')).toBe('PNG');
    });
  }, 120_000);
});
