import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Item, ItemForecast as ItemForecastResult } from '../../api/types.ts';
import { useLocations, useSite } from '../../auth/session.tsx';
import { ForecastChart, type LevelLine } from '../../components/Chart.tsx';
import { Empty, ErrorBanner, Loading } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { classLabels, methodLabel, percent, score } from '../../lib/forecasts.ts';

/**
 * Demand at each site: the last 26 weeks sold, the next 8 weeks forecast with the 80 % interval,
 * and how the forecast was chosen. `levelsBySite` draws stock levels (minimum, maximum) on the
 * same chart, so the reorder point can be read against what is expected to sell.
 */
export function ItemForecast({ item, levelsBySite = {} }: { item: Item; levelsBySite?: Record<string, LevelLine[]> }) {
  const { siteId } = useSite();
  const { byId } = useLocations();
  const forecast = useQuery({
    queryKey: ['item-forecast', item.id, siteId],
    queryFn: () => api.get<ItemForecastResult>(`/api/v1/items/${item.id}/forecast`, { site_id: siteId ?? undefined, history_days: 182, days: 56 }),
  });
  return (
    <div className="card">
      <h2>Demand forecast</h2>
      <ErrorBanner error={forecast.error} />
      {forecast.isLoading && <Loading />}
      {forecast.data && forecast.data.sites.length === 0 && <Empty>No sales history at {siteId ? 'this site' : 'any site'} yet.</Empty>}
      {forecast.data?.sites.map((s) => {
        const site = byId.get(s.site_id)?.name ?? s.site_id;
        return (
          <div key={s.site_id} className="forecast-site">
            <ForecastChart
              title={`${site}: sold per day and forecast`}
              history={s.history}
              forecast={s.forecast.map((f) => ({ date: f.date, mean: f.mean, lower: f.lower_80, upper: f.upper_80 }))}
              levels={levelsBySite[s.site_id] ?? []}
              format={(v) => formatQty(Math.round(v * 1000) / 1000)}
            />
            <p className="hint">
              {classLabels[s.demand_class]} demand · {methodLabel(s.method)}
              {s.rmsse !== null && <> · backtest error {score(s.rmsse)} (RMSSE), bias {percent(s.bias)}</>}
              {s.accuracy && (
                <>
                  {' '}
                  · last 4 weeks {score(s.accuracy.rmsse)} against {score(s.accuracy.benchmark_rmsse)} for “same day last week”
                </>
              )}
              {s.censored_days > 0 && <> · {s.censored_days} days out of stock left out</>}
            </p>
          </div>
        );
      })}
    </div>
  );
}
