import type { Barcode } from './barcodes.ts';

/**
 * Label templates and sheet layouts, all in millimetres. A template says what a label shows and
 * its own size when printed alone (a single label, or one label on a Zebra roll); on a sheet the
 * layout's cell decides the size and the template fills it.
 */
export type LabelTemplate = 'shelf_tag' | 'product' | 'bin';
export type LabelLayout = 'avery_5160' | 'avery_l7160' | 'single';

export const templateSizeMm: Record<LabelTemplate, { width: number; height: number }> = {
  shelf_tag: { width: 60, height: 40 },
  product: { width: 50, height: 30 },
  bin: { width: 100, height: 50 },
};

export interface SheetLayout {
  /** Page size in millimetres. */
  page: { width: number; height: number };
  columns: number;
  rows: number;
  label: { width: number; height: number };
  /** Offsets of the first label and the pitch from one label to the next. */
  left: number;
  top: number;
  pitchX: number;
  pitchY: number;
}

const inch = 25.4;

/** Avery 5160 (US Letter, 30 labels of 2⅝ × 1 in) and L7160 (A4, 21 labels of 63.5 × 38.1 mm). */
export const sheetLayouts: Record<Exclude<LabelLayout, 'single'>, SheetLayout> = {
  avery_5160: {
    page: { width: 8.5 * inch, height: 11 * inch },
    columns: 3,
    rows: 10,
    label: { width: 2.625 * inch, height: 1 * inch },
    left: 0.1875 * inch,
    top: 0.5 * inch,
    pitchX: 2.75 * inch,
    pitchY: 1 * inch,
  },
  avery_l7160: {
    page: { width: 210, height: 297 },
    columns: 3,
    rows: 7,
    label: { width: 63.5, height: 38.1 },
    left: 7.2,
    top: 15.1,
    pitchX: 66,
    pitchY: 38.1,
  },
};

/** What one label shows, whatever it is printed on. */
export interface LabelContent {
  template: LabelTemplate;
  /** The item name, or the bin's code. */
  title: string;
  /** SKU, or the bin's site and name. */
  subtitle: string;
  /** Formatted selling price with currency ("6.99 USD"); shelf tags only. */
  price: string | null;
  /** "12.50 USD / kg" where the item is sold by measure. */
  unitPrice: string | null;
  barcode: Barcode | null;
}
