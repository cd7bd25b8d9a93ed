export { registerLabelRoutes } from './labels.routes.ts';
export { buildLabels, unitPriceText, LABELS_MAX } from './labels.service.ts';
export { renderLabelsPdf } from './label-pdf.ts';
export { renderLabelsZpl, zplBarcode, zplField } from './label-zpl.ts';
export { gs1ElementString, productBarcode, renderBarcodePng, type Barcode, type Symbology } from './barcodes.ts';
export { sheetLayouts, templateSizeMm, type LabelContent, type LabelLayout, type LabelTemplate } from './label-templates.ts';
export { configuredPrinter, sendToPrinter, type PrinterAddress } from './zpl-printer.ts';
export { LabelError, labelErrorStatuses, type LabelErrorCode } from './labels.errors.ts';
