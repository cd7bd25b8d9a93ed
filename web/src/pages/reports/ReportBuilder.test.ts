import { describe, expect, it } from 'vitest';
import { builderDefinition, stateOf, type BuilderState } from './ReportBuilder.tsx';

const base: BuilderState = { dataset: 'sales_lines', dimensions: ['category', 'kind'], measures: ['revenue', 'margin', 'value'], from: '2026-11-01', to: '2026-11-30', category: '', compare: true };

describe('report builder definition', () => {
  it('keeps only what the dataset has, and the period with the comparison', () => {
    expect(builderDefinition(base, 'loc_1', true)).toEqual({ dataset: 'sales_lines', dimensions: ['category'], measures: ['revenue', 'margin'], from: '2026-11-01', to: '2026-11-30', compare: true, filters: { site_id: 'loc_1' } });
  });
  it('leaves cost measures out for staff, and balances without a period', () => {
    expect(builderDefinition(base, null, false).measures).toEqual(['revenue']);
    expect(builderDefinition({ ...base, dataset: 'balances', dimensions: ['site'], measures: ['value'] }, null, false)).toEqual({ dataset: 'balances', dimensions: ['site'], measures: ['count'] });
  });
  it('leaves the purchase and count values out for staff', () => {
    const purchases = builderDefinition({ ...base, dataset: 'purchase_lines', dimensions: ['vendor'], measures: ['quantity', 'value', 'unit_cost', 'days_late'] }, null, false);
    expect(purchases.measures).toEqual(['quantity', 'days_late']);
    const counts = builderDefinition({ ...base, dataset: 'counts', dimensions: ['reason'], measures: ['variance_quantity', 'variance_value'] }, null, false);
    expect(counts.measures).toEqual(['variance_quantity']);
  });
  it('opens a saved definition into the builder, keeping the dates on screen when it has none', () => {
    const opened = stateOf({ dataset: 'counts', dimensions: ['reason'], measures: ['variance_value'], filters: { category: 'Tea' } }, base);
    expect(opened).toEqual({ dataset: 'counts', dimensions: ['reason'], measures: ['variance_value'], from: '2026-11-01', to: '2026-11-30', category: 'Tea', compare: false });
  });
});
