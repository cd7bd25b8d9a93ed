import { registerDocumentCheck } from '../ledger/index.ts';
import { checkCounts } from './counts-check.service.ts';

// `stockroom check` (and every test that runs the ledger check) verifies counts too.
registerDocumentCheck({ name: 'counts', check: checkCounts });

export { registerCountRoutes } from './counts.routes.ts';
export { createCount, getCount, listCounts, cancelCount, MAX_COUNT_LINES, type CountRecord, type CountLineView } from './counts.service.ts';
export { enterCountLines, scanIntoCount, resolveUnknownScan } from './count-lines.service.ts';
export { submitCount, approveCount } from './count-approval.service.ts';
export { getCountSettings, updateCountSettings, exceedsThresholds, defaultCountSettings, type CountSettings } from './count-settings.service.ts';
export { classifyAbc, cyclePlan, needsCount, itemCycles, type AbcClass } from './cycle-counts.service.ts';
export { countVarianceReport, periodVarianceReport, shrinkage, itemCountHistory } from './count-reports.service.ts';
export { renderCountSheetPdf } from './count-sheet-pdf.ts';
export { checkCounts } from './counts-check.service.ts';
export { toCountJson } from './counts.mapper.ts';
export { COUNT_VARIANCE_REASON, type CreateCountInput, type CountLineInput } from './counts.schema.ts';
export { CountError, countErrorStatuses, type CountErrorCode } from './counts.errors.ts';
