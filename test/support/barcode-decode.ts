import { inflateSync } from 'node:zlib';
import { BarcodeFormat, BinaryBitmap, DecodeHintType, HybridBinarizer, MultiFormatReader, RGBLuminanceSource } from '@zxing/library';

/**
 * Reading barcodes back in tests with @zxing/library (the web app's scanner library, which runs
 * in Node on a luminance buffer), taken from the barcode images a label PDF carries.
 */
export interface Decoded {
  format: string;
  text: string;
}

/**
 * `pure` says the raster is the barcode alone, as bwip-js drew it: zxing then reads the modules
 * off the grid instead of hunting for finder patterns, whose detector misses about one clean,
 * computer-drawn QR code in twenty-five at 3 px a module (a camera frame never is that clean).
 */
export function decodeLuminance(luminance: Uint8ClampedArray, width: number, height: number, pure = false): Decoded {
  const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);
  if (pure) hints.set(DecodeHintType.PURE_BARCODE, true);
  const result = new MultiFormatReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, width, height))), hints);
  return { format: BarcodeFormat[result.getBarcodeFormat()], text: result.getText() };
}

/** The RGB images of an uncompressed pdfkit PDF (alpha masks left out), as luminance rasters. */
export function pdfImages(pdf: Buffer): Array<{ width: number; height: number; luminance: Uint8ClampedArray }> {
  const raw = pdf.toString('latin1');
  const images: Array<{ width: number; height: number; luminance: Uint8ClampedArray }> = [];
  for (const m of raw.matchAll(/<<((?:(?!>>\s*stream)[\s\S])*?\/Subtype \/Image[\s\S]*?)>>\s*stream\r?\n/g)) {
    const dict = m[1]!;
    if (!/\/ColorSpace \/DeviceRGB/.test(dict)) continue;
    const width = Number(/\/Width (\d+)/.exec(dict)![1]);
    const height = Number(/\/Height (\d+)/.exec(dict)![1]);
    const length = Number(/\/Length (\d+)/.exec(dict)![1]);
    const start = m.index! + m[0].length;
    const data = inflateSync(Buffer.from(raw.slice(start, start + length), 'latin1'));
    const luminance = new Uint8ClampedArray(width * height);
    for (let i = 0; i < luminance.length; i += 1) luminance[i] = data[i * 3]!;
    images.push({ width, height, luminance });
  }
  return images;
}

export function decodePdfBarcodes(pdf: Buffer): Decoded[] {
  return pdfImages(pdf).map((image) => decodeLuminance(image.luminance, image.width, image.height, true));
}

/** Page count and the first page's size in points. */
export function pdfPages(pdf: Buffer): { count: number; mediaBox: number[] } {
  const raw = pdf.toString('latin1');
  const count = [...raw.matchAll(/\/Type \/Page\b(?!s)/g)].length;
  const box = /\/MediaBox \[([^\]]+)\]/.exec(raw)![1]!.trim().split(/\s+/).map(Number);
  return { count, mediaBox: box };
}
