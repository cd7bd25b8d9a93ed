import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { forecastChartData } from '../components/Chart.tsx';
import { AccuracyTable } from './ForecastAccuracy.tsx';

afterEach(cleanup);

describe('forecast screens', () => {
  it('puts days out of stock in their own series, the forecast after the history, and levels across both', () => {
    const data = forecastChartData(
      [
        { date: '2026-12-01', qty: 3, censored: false },
        { date: '2026-12-02', qty: 1, censored: true },
      ],
      [{ date: '2026-12-03', mean: 2.5, lower: 1, upper: 4 }],
      [{ label: 'Minimum', value: 5, color: '#c00' }],
    );
    expect(data.times).toHaveLength(3);
    expect(data.series.map((s) => s.label)).toEqual(['Sold', 'Sold (out of stock that day)', 'Forecast', '80 % interval, high', '80 % interval, low', 'Minimum']);
    expect(data.series[0]!.values).toEqual([3, null, null]);
    expect(data.series[1]!.values).toEqual([null, 1, null]);
    expect(data.series[2]!.values).toEqual([null, null, 2.5]);
    expect(data.series[5]!.values).toEqual([5, 5, 5]);
    expect(data.bands).toEqual([{ upper: 3, lower: 4, color: '#3b5bdb' }]);
  });

  it('shows each group beside seasonal naive, as a shop owner reads it', () => {
    render(
      <AccuracyTable
        caption="By demand class"
        rows={[{ key: 'intermittent', forecasts: 12, rmsse: 0.81, bias: -0.052, benchmark_rmsse: 1.1, benchmark_bias: 0.1, beats_benchmark: 0.75 }]}
        label={(k) => (k === 'intermittent' ? 'Occasional' : k)}
      />,
    );
    const row = screen.getByRole('row', { name: /Occasional/ });
    const cells = within(row).getAllByRole('cell').map((c) => c.textContent);
    expect(cells).toEqual(['12', '0.81', '1.10', '-5 %', '+10 %', '75 %']);
  });
});
