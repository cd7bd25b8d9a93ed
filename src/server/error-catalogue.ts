import { platformErrorStatuses } from '../platform/errors.ts';
import { buildErrorCatalogue, type ErrorCatalogue } from '../platform/http/error-responses.ts';
import { accessErrorStatuses } from '../modules/access/index.ts';
import { adjustmentErrorStatuses } from '../modules/adjustments/index.ts';
import { alertErrorStatuses } from '../modules/alerts/index.ts';
import { catalogErrorStatuses, productErrorStatuses } from '../modules/catalog/index.ts';
import { countErrorStatuses } from '../modules/counts/index.ts';
import { forecastingErrorStatuses } from '../modules/forecasting/index.ts';
import { fulfillmentErrorStatuses } from '../modules/fulfillment/index.ts';
import { ledgerErrorStatuses } from '../modules/ledger/index.ts';
import { locationErrorStatuses } from '../modules/locations/index.ts';
import { notificationErrorStatuses } from '../modules/notifications/index.ts';
import { productionErrorStatuses } from '../modules/production/index.ts';
import { purchasingErrorStatuses } from '../modules/purchasing/index.ts';
import { salesErrorStatuses } from '../modules/sales/index.ts';
import { transferErrorStatuses } from '../modules/transfers/index.ts';
import { replenishmentErrorStatuses } from '../modules/replenishment/index.ts';
import { pricingErrorStatuses } from '../modules/pricing/index.ts';
import { taxErrorStatuses } from '../modules/tax/index.ts';
import { labelErrorStatuses } from '../modules/labels/index.ts';
import { customReportErrorStatuses, savedReportErrorStatuses } from '../modules/reports/index.ts';
import { integrationErrorStatuses } from '../modules/integrations/index.ts';
import { quickbooksErrorStatuses } from '../modules/integrations/quickbooks/index.ts';
import { googleFeedErrorStatuses } from '../modules/integrations/google/index.ts';
import { importErrorStatuses } from '../modules/imports/index.ts';
import { offlineErrorStatuses } from '../modules/offline/index.ts';
import { voiceErrorStatuses } from '../modules/voice/index.ts';
import { oauthErrorStatuses } from '../modules/oauth/index.ts';

/**
 * Every error code the server can answer with, and its status: the platform's and each module's
 * table. A module with its own `<module>.errors.ts` adds its table here, or its routes cannot
 * declare its codes (the server refuses to start).
 */
export function errorCatalogue(): ErrorCatalogue {
  return buildErrorCatalogue({
    platform: platformErrorStatuses,
    access: accessErrorStatuses,
    adjustments: adjustmentErrorStatuses,
    alerts: alertErrorStatuses,
    catalog: catalogErrorStatuses,
    counts: countErrorStatuses,
    forecasting: forecastingErrorStatuses,
    fulfillment: fulfillmentErrorStatuses,
    ledger: ledgerErrorStatuses,
    locations: locationErrorStatuses,
    notifications: notificationErrorStatuses,
    production: productionErrorStatuses,
    purchasing: purchasingErrorStatuses,
    sales: salesErrorStatuses,
    transfers: transferErrorStatuses,
    replenishment: replenishmentErrorStatuses,
    pricing: pricingErrorStatuses,
    tax: taxErrorStatuses,
    labels: labelErrorStatuses,
    reports: customReportErrorStatuses,
    savedReports: savedReportErrorStatuses,
    integrations: integrationErrorStatuses,
    quickbooks: quickbooksErrorStatuses,
    google: googleFeedErrorStatuses,
    products: productErrorStatuses,
    imports: importErrorStatuses,
    offline: offlineErrorStatuses,
    voice: voiceErrorStatuses,
    oauth: oauthErrorStatuses,
  });
}
