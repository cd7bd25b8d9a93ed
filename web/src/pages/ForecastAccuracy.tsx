import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { DemandClass, ForecastAccuracy, ForecastAccuracyGroup } from '../api/types.ts';
import { useSite } from '../auth/session.tsx';
import { Empty, ErrorBanner, Loading, PageHeader } from '../components/ui.tsx';
import { formatDateTime } from '../lib/dates.ts';
import { classLabels, methodLabel, percent, score } from '../lib/forecasts.ts';
import { ListTable } from '../components/ListTable.tsx';

/**
 * How good the forecasts are: backtested error (RMSSE, lower is better) and bias of the chosen
 * methods beside "same day last week" (weekly seasonal naive) on the same days, overall, per
 * demand class, per category and per method. Figures are out of sample: each method was chosen
 * before the four weeks it is scored on.
 */
export function ForecastAccuracyPage() {
  const { siteId } = useSite();
  const report = useQuery({
    queryKey: ['forecast-accuracy', siteId],
    queryFn: () => api.get<ForecastAccuracy>('/api/v1/reports/forecast-accuracy', { site_id: siteId ?? undefined }),
  });
  return (
    <section>
      <PageHeader title="Forecast accuracy">
        <p className="subtitle">
          Error of each item’s forecast over its last four weeks (RMSSE: lower is better), beside “same day last week”.
          {report.data?.computed_at && <> Forecasts of {formatDateTime(report.data.computed_at)}.</>}
        </p>
      </PageHeader>
      <ErrorBanner error={report.error} />
      {report.isLoading && <Loading />}
      {report.data && report.data.overall.forecasts === 0 && <Empty>No forecasts have been backtested yet: they are made every night, or with `stockroom forecast`.</Empty>}
      {report.data && report.data.overall.forecasts > 0 && (
        <>
          <AccuracyTable caption="Overall" rows={[report.data.overall]} label={() => 'All items'} />
          <AccuracyTable caption="By demand class" rows={report.data.by_class} label={(k) => classLabels[k as DemandClass] ?? k} />
          <AccuracyTable caption="By category" rows={report.data.by_category} label={(k) => k} />
          <AccuracyTable caption="By method" rows={report.data.by_method} label={methodLabel} />
        </>
      )}
    </section>
  );
}

export function AccuracyTable({ caption, rows, label }: { caption: string; rows: ForecastAccuracyGroup[]; label: (key: string) => string }) {
  return (
    <div className="card">
      <ListTable exportName={`forecast-accuracy-${caption.toLowerCase().replace(/\s+/g, '-')}`} data-testid={`accuracy-${caption.toLowerCase().replace(/\s+/g, '-')}`}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Forecasts</th>
            <th scope="col">Error</th>
            <th scope="col">Same day last week</th>
            <th scope="col">Bias</th>
            <th scope="col">Its bias</th>
            <th scope="col">Beats it</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr key={g.key}>
              <th scope="row">{label(g.key)}</th>
              <td>{g.forecasts}</td>
              <td className={g.rmsse !== null && g.benchmark_rmsse !== null && g.rmsse < g.benchmark_rmsse ? 'good' : undefined}>{score(g.rmsse)}</td>
              <td>{score(g.benchmark_rmsse)}</td>
              <td>{percent(g.bias)}</td>
              <td>{percent(g.benchmark_bias)}</td>
              <td>{g.beats_benchmark === null ? '—' : `${Math.round(g.beats_benchmark * 100)} %`}</td>
            </tr>
          ))}
        </tbody>
      </ListTable>
    </div>
  );
}
