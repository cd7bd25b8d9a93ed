export { registerReportRoutes } from './reports.routes.ts';
export { inventoryValuation, type ValuationLine, type ValuationReport } from './valuation.service.ts';
