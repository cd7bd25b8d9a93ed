export { registerTaxRoutes } from './tax.routes.ts';
export { createTaxRate, deleteTaxRate, getItemTax, getTaxTable, listTaxRates, listTaxRules, setItemTaxExempt, setTaxRule, updateTaxRate, type TaxRateRecord, type TaxRuleRecord } from './tax.service.ts';
export { categoryKey, loadTaxTable, rateOfItem, resolveTaxRates, taxRulesAtLocationRead, taxTableFrom, type TaxTable } from './tax-resolution.ts';
export { TaxError, taxErrorStatuses, type TaxErrorCode } from './tax.errors.ts';
