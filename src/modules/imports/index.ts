export { registerImportRoutes } from './imports.routes.ts';
export { BATCH_ROWS_DEFAULT, getImportJob, jobErrors, listImportJobs, previewImport, runImport, type ImportOptions, type ImportPreview } from './imports.service.ts';
export { exportCatalogue } from './imports.export.ts';
export { bufferSource, detectFormat, type FileFormat, type Source } from './imports.reader.ts';
export { detectLayout, mappingFor, LAYOUTS, type ColumnMapping, type Layout } from './imports.layouts.ts';
export type { RowError } from './imports.rows.ts';
export { ImportError, httpStatusByCode as importErrorStatuses } from './imports.errors.ts';
export { exportKind, IMPORT_KINDS, runKindImport, type KindImportOptions } from './imports.kinds.service.ts';
export { KIND_NAMES, type KindName } from './kinds/kind.ts';
