export { registerPricingRoutes } from './pricing.routes.ts';
export { applyPricing, costsOf, listMarginAlerts, listPriceHistory, previewPricing, type CostBasis, type PricingResult } from './pricing.service.ts';
export { applyRounding, marginPpm, priceFromCost, rawPrice, type PriceRule, type Rounding } from './price-calculator.ts';
export { PricingError, pricingErrorStatuses, type PricingErrorCode } from './pricing.errors.ts';
