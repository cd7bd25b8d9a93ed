export { registerScanningRoutes } from './scanning.routes.ts';
export { resolveScan, type ScanResolution } from './scanning.service.ts';
export { parseGs1, dateOf, looksLikeGs1, GROUP_SEPARATOR, type Gs1Result, type Gs1Element } from './gs1.ts';
export { scanInput } from './scanning.schema.ts';
