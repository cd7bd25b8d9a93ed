import { describe, expect, it } from 'vitest';
import { drillPage, REPORTS } from './catalogue.ts';
import { reportQuery } from './Reports.tsx';

describe('the Reports section', () => {
  const spec = (name: string) => REPORTS.find((r) => r.name === name)!;
  const filters = { from: '2026-11-01', to: '2026-11-30', category: 'Tea', by: '', channel: '', days: '', coverWeeks: '' };

  it('asks each report only for the filters it takes', () => {
    expect(reportQuery(spec('profitability'), filters, 'loc_1')).toEqual({ from: '2026-11-01', to: '2026-11-30', site_id: 'loc_1', category: 'Tea', by: 'item' });
    expect(reportQuery(spec('dead-stock'), filters, null)).toEqual({ category: 'Tea', days: '90' });
    expect(reportQuery(spec('low-stock'), filters, 'loc_1')).toEqual({ site_id: 'loc_1' });
    expect(reportQuery(spec('discounts'), { ...filters, by: 'reason', channel: 'counter' }, null)).toEqual({ from: '2026-11-01', to: '2026-11-30', by: 'reason', channel_id: 'counter' });
  });

  it('opens a drill-down in the page that lists the same records', () => {
    expect(drillPage('/api/v1/movements?kind=sale&item_id=itm_1')).toBe('/stock/movements?kind=sale&item_id=itm_1');
    expect(drillPage('/api/v1/sales?location_id=loc_1')).toBe('/selling/sales?location_id=loc_1');
    expect(drillPage('/api/v1/lots?item_id=itm_1')).toBeNull();
  });
});
