import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../../api/client.ts';
import type { Balance, Item, Movement, Page } from '../../api/types.ts';
import { useLocations, useSite } from '../../auth/session.tsx';
import { dayToSeconds, TimeChart } from '../../components/Chart.tsx';
import { ErrorBanner, Loading } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';

const VIRTUAL = /^loc_[a-z]+$/;

/**
 * On hand over the last 90 days, rebuilt from the ledger: start from today's balance and undo
 * each movement, newest first (every change of stock is a movement, so this is exact).
 */
export function OnHandChart({ item }: { item: Item }) {
  const { siteId } = useSite();
  const { byId } = useLocations();
  const from = useMemo(() => new Date(Date.now() - 90 * 86_400_000).toISOString(), []);
  const data = useQuery({
    queryKey: ['onhand-history', item.id, siteId],
    queryFn: async () => {
      const balances = await api.get<Page<Balance>>('/api/v1/balances', { item_id: item.id, location_id: siteId ?? undefined, group_by: 'item' });
      const movements: Movement[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.get<Page<Movement>>('/api/v1/movements', { item_id: item.id, location_id: siteId ?? undefined, from, limit: 500, cursor });
        movements.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor && movements.length < 5000);
      return { now: balances.data[0]?.on_hand ?? 0, movements };
    },
  });
  const chart = useMemo(() => {
    if (!data.data) return null;
    const counts = (loc: string) => {
      if (VIRTUAL.test(loc)) return false;
      if (!siteId) return true;
      const l = byId.get(loc);
      return l ? l.site_id === siteId : false;
    };
    let level = data.data.now;
    const points: [number, number][] = [[Date.now() / 1000, level]];
    for (const m of data.data.movements) {
      const delta = (counts(m.to_location_id) ? m.qty : 0) - (counts(m.from_location_id) ? m.qty : 0);
      const at = new Date(m.effective_at).getTime() / 1000;
      points.push([at, level]);
      level = Math.round((level - delta) * 1000) / 1000;
      points.push([at - 0.001, level]);
    }
    points.push([dayToSeconds(from.slice(0, 10)), level]);
    points.sort((a, b) => a[0] - b[0]);
    return { times: points.map((p) => p[0]), values: points.map((p) => p[1]) };
  }, [data.data, byId, siteId, from]);
  const series = useMemo(() => (chart ? [{ label: 'On hand', values: chart.values, color: '#1f6f5c', kind: 'line' as const }] : []), [chart]);
  return (
    <div className="card">
      <ErrorBanner error={data.error} />
      {chart ? <TimeChart title="On hand, last 90 days" times={chart.times} series={series} format={(v) => formatQty(v)} /> : <Loading />}
    </div>
  );
}
