import type { Barcode } from './barcodes.ts';
import { templateSizeMm, type LabelContent } from './label-templates.ts';

/**
 * Labels as ZPL II for Zebra printers at 203 dpi (8 dots per millimetre), one ^XA…^XZ block per
 * label at the template's size. Field data goes through ^FH so a caret or tilde in an item name
 * cannot end the field or start a command; ^CI28 makes the printer read UTF-8.
 */
const dotsPerMm = 8;
const mm = (v: number) => Math.round(v * dotsPerMm);

/** Hex-escapes `_`, `^` and `~` for a field that follows ^FH. */
export function zplField(text: string): string {
  return text.replace(/[_^~]/g, (c) => `_${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).replace(/[\r\n]+/g, ' ');
}

/** The barcode command and its data: ^BE (EAN-13), ^BU (UPC-A), ^BC (Code 128; mode D for GS1-128), ^BQ (QR), ^BX (DataMatrix). */
export function zplBarcode(barcode: Barcode, heightDots: number): string {
  switch (barcode.symbology) {
    case 'ean13':
      // The printer adds the check digit; it is given the first twelve.
      return `^BEN,${heightDots},Y,N^FD${barcode.text.slice(0, 12)}^FS`;
    case 'upca':
      return `^BUN,${heightDots},Y,N,Y^FD${barcode.text.slice(0, 11)}^FS`;
    case 'code128':
      return `^BCN,${heightDots},Y,N,N^FH^FD${zplField(barcode.text)}^FS`;
    case 'gs1-128':
      // Mode D: the printer reads the (AI) parentheses, starts with FNC1 and prints them in the text line.
      return `^BCN,${heightDots},Y,N,N,D^FD${barcode.text}^FS`;
    case 'qrcode':
      return `^BQN,2,4^FH^FDQA,${zplField(barcode.text)}^FS`;
    case 'datamatrix':
      return `^BXN,5,200^FH^FD${zplField(barcode.text)}^FS`;
  }
}

function zplLabel(label: LabelContent): string {
  const size = templateSizeMm[label.template];
  const width = mm(size.width);
  const x = mm(3);
  const parts = ['^XA', '^CI28', `^PW${width}`, `^LL${mm(size.height)}`];
  let y = mm(3);
  const text = (value: string, heightMm: number) => {
    parts.push(`^FO${x},${y}^A0N,${mm(heightMm)},${mm(heightMm)}^FB${width - 2 * x},1,0,L^FH^FD${zplField(value)}^FS`);
    y += mm(heightMm + 1);
  };
  text(label.title, label.template === 'bin' ? 10 : 4);
  text(label.subtitle, 3);
  if (label.price) text(label.price, 8);
  if (label.unitPrice) text(label.unitPrice, 3);
  if (label.barcode) {
    const remaining = mm(size.height) - y - mm(6);
    parts.push(`^FO${x},${y}^BY2${zplBarcode(label.barcode, Math.max(mm(6), remaining))}`);
  }
  parts.push('^XZ');
  return parts.join('\n');
}

export function renderLabelsZpl(labels: readonly LabelContent[]): string {
  return labels.map(zplLabel).join('\n') + '\n';
}
