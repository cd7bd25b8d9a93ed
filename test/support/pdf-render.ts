import { createCanvas } from '@napi-rs/canvas';

/**
 * Rendering a PDF to pixels in a test, the way a viewer or printer would: pdf.js (its legacy build,
 * which runs in Node) draws each page on an @napi-rs/canvas at the DPI asked for, and the page
 * comes back as RGBA pixels, a luminance raster for @zxing/library, and a PNG to look at.
 */

export interface RenderedPage {
  /** Pixels; points × dpi / 72. */
  width: number;
  height: number;
  dpi: number;
  rgba: Uint8ClampedArray;
  luminance: Uint8ClampedArray;
  png(): Buffer;
  /** A rectangle of the page given in millimetres from its top left corner, as a luminance raster. */
  crop(box: { x: number; y: number; width: number; height: number }): { width: number; height: number; luminance: Uint8ClampedArray };
  /** Pixels darker than `threshold` (0–255) inside a rectangle in millimetres. */
  darkPixels(box: { x: number; y: number; width: number; height: number }, threshold?: number): number;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | null = null;

export async function renderPdfPages(pdf: Buffer, dpi = 200): Promise<RenderedPage[]> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const { getDocument } = await pdfjs;
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, disableFontFace: true, isEvalSupported: false, verbosity: 0 }).promise;
  const pages: RenderedPage[] = [];
  try {
    for (let n = 1; n <= doc.numPages; n += 1) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: dpi / 72 });
      const width = Math.ceil(viewport.width);
      const height = Math.ceil(viewport.height);
      const canvas = createCanvas(width, height);
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, width, height);
      await page.render({ canvas: canvas as never, canvasContext: context as never, viewport }).promise;
      const rgba = new Uint8ClampedArray(context.getImageData(0, 0, width, height).data);
      pages.push(pageOf(rgba, width, height, dpi, () => canvas.toBuffer('image/png')));
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
  return pages;
}

function pageOf(rgba: Uint8ClampedArray, width: number, height: number, dpi: number, png: () => Buffer): RenderedPage {
  const luminance = new Uint8ClampedArray(width * height);
  for (let i = 0; i < luminance.length; i += 1) luminance[i] = Math.round(0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!);
  const px = (mm: number) => Math.round((mm * dpi) / 25.4);
  const clamp = (box: { x: number; y: number; width: number; height: number }) => {
    const x0 = Math.max(0, px(box.x));
    const y0 = Math.max(0, px(box.y));
    const x1 = Math.min(width, px(box.x + box.width));
    const y1 = Math.min(height, px(box.y + box.height));
    return { x0, y0, x1, y1 };
  };
  return {
    width,
    height,
    dpi,
    rgba,
    luminance,
    png,
    crop(box) {
      const { x0, y0, x1, y1 } = clamp(box);
      const w = Math.max(0, x1 - x0);
      const h = Math.max(0, y1 - y0);
      const out = new Uint8ClampedArray(w * h);
      for (let y = 0; y < h; y += 1) out.set(luminance.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), y * w);
      return { width: w, height: h, luminance: out };
    },
    darkPixels(box, threshold = 200) {
      const { x0, y0, x1, y1 } = clamp(box);
      let dark = 0;
      for (let y = y0; y < y1; y += 1) for (let x = x0; x < x1; x += 1) if (luminance[y * width + x]! < threshold) dark += 1;
      return dark;
    },
  };
}
