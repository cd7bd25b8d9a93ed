import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { api, fetchAll } from '../api/client.ts';
import type { Movement, Page, PurchaseOrderSummary, SalesDay, StockAlert, ValueDay } from '../api/types.ts';
import { useSettings, useSignedIn, useSite } from '../auth/session.tsx';
import { dayToSeconds, TimeChart } from '../components/Chart.tsx';
import { ErrorBanner, formatDate, PageHeader, Stat } from '../components/ui.tsx';
import { useCapabilities } from '../lib/capabilities.ts';
import { formatMoneyShort, formatMoney, fromMicros, sumMoney, toMicros } from '../lib/decimal.ts';
import { daysAgo, localDate } from '../lib/items.ts';
import { MovementTable } from './Movements.tsx';
import { ListTable } from '../components/ListTable.tsx';

interface SaleSummary {
  created_at: string;
  status: string;
  totals: { total: string; tax: string; refunded: string };
}

/** Net sales (after discounts, before tax) per local day, from the sales themselves; voided sales left out. */
export function salesByDay(sales: readonly SaleSummary[]): SalesDay[] {
  const byDay = new Map<string, { count: number; micros: bigint }>();
  for (const s of sales) {
    if (s.status === 'voided') continue;
    const day = localDate(new Date(s.created_at));
    const entry = byDay.get(day) ?? { count: 0, micros: 0n };
    entry.count += 1;
    entry.micros += toMicros(s.totals.total) - toMicros(s.totals.tax);
    byDay.set(day, entry);
  }
  return [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, e]) => ({ date, sales_count: e.count, revenue: fromMicros(e.micros) }));
}

/** Monday of this week, as YYYY-MM-DD. */
function weekStart(d = new Date()): string {
  const back = (d.getDay() + 6) % 7;
  return daysAgo(back, d);
}

export function DashboardPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const settings = useSettings();
  const caps = useCapabilities();
  const location_id = siteId ?? undefined;
  const today = localDate();
  const currency = settings.base_currency;
  const money = (v: number) => formatMoneyShort(fromMicros(BigInt(Math.round(v * 100)) * 10_000n), currency);

  const valuation = useQuery({
    queryKey: ['valuation', siteId],
    queryFn: () => api.get<{ total_value: string }>('/api/v1/reports/valuation', { location_id, lines: 'false' }),
    enabled: session.seesCosts,
  });
  const hasAlerts = caps.has('get', '/api/v1/reports/stock-alerts');
  const alerts = useQuery({
    queryKey: ['stock-alerts', siteId],
    queryFn: () => api.get<{ data: StockAlert[] }>('/api/v1/reports/stock-alerts', { location_id }),
    enabled: hasAlerts,
  });
  const hasSalesByDay = caps.has('get', '/api/v1/reports/sales-by-day') && session.can('sales.read');
  const sales = useQuery({
    queryKey: ['sales-by-day', siteId, today],
    queryFn: () => api.get<{ data: SalesDay[] }>('/api/v1/reports/sales-by-day', { from: daysAgo(29), to: today, location_id }),
    enabled: hasSalesByDay,
  });
  // Without the sales-by-day report (an older server), the same figures from the sales themselves.
  const salesFallback = !hasSalesByDay && caps.has('get', '/api/v1/sales') && session.can('sales.read');
  const salesList = useQuery({
    queryKey: ['sales', 'by-day-fallback', siteId, today],
    queryFn: async () => salesByDay(await fetchAll<SaleSummary>('/api/v1/sales', { location_id, from: new Date(`${daysAgo(29)}T00:00:00`).toISOString() }, 5000)),
    enabled: salesFallback,
  });
  const hasValueHistory = caps.has('get', '/api/v1/reports/stock-value-history') && session.seesCosts;
  const valueHistory = useQuery({
    queryKey: ['stock-value-history', siteId],
    queryFn: () => api.get<{ data: ValueDay[] }>('/api/v1/reports/stock-value-history', { days: 30, location_id }),
    enabled: hasValueHistory,
  });
  const purchaseOrders = useQuery({
    queryKey: ['purchase-orders', 'open'],
    queryFn: async () => [
      ...(await fetchAll<PurchaseOrderSummary>('/api/v1/purchase-orders', { status: 'sent' }, 2000)),
      ...(await fetchAll<PurchaseOrderSummary>('/api/v1/purchase-orders', { status: 'partially_received' }, 2000)),
    ],
    enabled: session.can('purchasing.read'),
  });
  const hasOrders = caps.has('get', '/api/v1/orders') && session.can('orders.read');
  const toShip = useQuery({
    queryKey: ['orders', 'to-ship'],
    queryFn: async () => [
      ...(await fetchAll<{ id: string }>('/api/v1/orders', { status: 'allocated' }, 2000)),
      ...(await fetchAll<{ id: string }>('/api/v1/orders', { status: 'partially_shipped' }, 2000)),
    ],
    enabled: hasOrders,
  });
  const recent = useQuery({ queryKey: ['movements', 'recent', siteId], queryFn: () => api.get<Page<Movement>>('/api/v1/movements', { location_id, limit: 8 }) });

  const openPos = (purchaseOrders.data ?? []).filter((po) => !siteId || po.delivery_site_id === siteId);
  const latePos = openPos.filter((po) => po.expected_on !== null && po.expected_on < today);
  const days = useMemo(() => (hasSalesByDay ? sales.data?.data : salesList.data) ?? [], [hasSalesByDay, sales.data, salesList.data]);
  const showSales = hasSalesByDay || salesFallback;
  const salesLoaded = hasSalesByDay ? Boolean(sales.data) : Boolean(salesList.data);
  const todaySales = days.find((d) => d.date === today);
  const week = days.filter((d) => d.date >= weekStart());
  const alertRows = alerts.data?.data ?? [];
  const out = alertRows.filter((a) => a.status === 'out_of_stock').length;
  const low = alertRows.filter((a) => a.status === 'low').length;

  const salesChart = useMemo(
    () => ({
      times: days.map((d) => dayToSeconds(d.date)),
      series: [
        { label: 'Net sales', values: days.map((d) => Number(toMicros(d.revenue) / 10_000n) / 100), color: '#2a6fdb', kind: 'bars' as const },
        // Cost of goods comes only to those who may see costs (the report leaves it out for staff).
        ...(days.some((d) => d.cogs !== undefined)
          ? [{ label: 'Cost of goods', values: days.map((d) => (d.cogs === undefined ? null : Number(toMicros(d.cogs) / 10_000n) / 100)), color: '#b26b00' }]
          : []),
      ],
    }),
    [days],
  );
  const valueDays = useMemo(() => valueHistory.data?.data ?? [], [valueHistory.data]);
  const valueChart = useMemo(
    () => ({
      times: valueDays.map((d) => dayToSeconds(d.date)),
      series: [{ label: 'Stock value', values: valueDays.map((d) => Number(toMicros(d.value) / 10_000n) / 100), color: '#1f6f5c' }],
    }),
    [valueDays],
  );

  return (
    <section className="dashboard">
      <PageHeader title="Dashboard">
        <p className="subtitle">{siteId ? 'This site' : 'All sites'} · {formatDate(localDate())}</p>
      </PageHeader>
      <div className="stats" aria-label="Key figures">
        {session.seesCosts && <Stat label="Stock value" value={valuation.data ? formatMoney(valuation.data.total_value, currency) : '…'} to="/stock" testId="stat-stock-value" />}
        {hasAlerts && <Stat label="Out of stock" value={alerts.data ? out : '…'} to="/stock/alerts?status=out_of_stock" tone={out > 0 ? 'bad' : undefined} testId="stat-out" />}
        {hasAlerts && <Stat label="Low stock" value={alerts.data ? low : '…'} to="/stock/alerts?status=low" tone={low > 0 ? 'warn' : undefined} testId="stat-low" />}
        {showSales && (
          <Stat
            label={`Sales today (${todaySales?.sales_count ?? 0})`}
            value={salesLoaded ? formatMoney(todaySales?.revenue ?? '0.00', currency) : '…'}
            to={`/selling/sales?from=${today}`}
            testId="stat-sales-today"
          />
        )}
        {showSales && (
          <Stat
            label={`Sales this week (${week.reduce((s, d) => s + d.sales_count, 0)})`}
            value={salesLoaded ? formatMoney(sumMoney(week.map((d) => d.revenue)), currency) : '…'}
            to={`/selling/sales?from=${weekStart()}`}
            testId="stat-sales-week"
          />
        )}
        {session.can('purchasing.read') && <Stat label="Open purchase orders" value={purchaseOrders.data ? openPos.length : '…'} to="/purchasing/orders?status=open" testId="stat-open-pos" />}
        {session.can('purchasing.read') && (
          <Stat label="Late purchase orders" value={purchaseOrders.data ? latePos.length : '…'} to="/purchasing/orders?status=late" tone={latePos.length > 0 ? 'bad' : undefined} testId="stat-late-pos" />
        )}
        {hasOrders && <Stat label="Orders waiting to ship" value={toShip.data ? toShip.data.length : '…'} to="/selling/orders?status=to_ship" tone={(toShip.data?.length ?? 0) > 0 ? 'warn' : undefined} testId="stat-to-ship" />}
      </div>
      <ErrorBanner error={valuation.error ?? alerts.error ?? sales.error ?? salesList.error ?? purchaseOrders.error ?? toShip.error} />
      <div className="grid-2">
        {showSales && (
          <div className="card">
            <TimeChart title="Sales per day, last 30 days" times={salesChart.times} series={salesChart.series} format={money} />
          </div>
        )}
        {hasValueHistory && (
          <div className="card">
            <TimeChart title="Stock value, last 30 days" times={valueChart.times} series={valueChart.series} format={money} />
          </div>
        )}
      </div>
      {hasAlerts && alertRows.length > 0 && (
        <div className="card">
          <h2>
            Needs reordering <Link to="/stock/alerts">see all</Link>
          </h2>
          <ul className="alert-list">
            {alertRows.slice(0, 8).map((a) => (
              <li key={a.item_id}>
                <span className={`badge badge-${a.status}`}>{a.status === 'low' ? 'low' : 'out'}</span> <Link to={`/items/${a.item_id}`}>{a.name}</Link> <span className="muted">{a.sku}</span> — {a.on_hand} on hand
                {a.reorder_point !== null ? `, reorder at ${a.reorder_point}` : ''}
                {a.on_order > 0 ? `, ${a.on_order} on order` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="card">
        <h2>
          Recent movements <Link to="/stock/movements">see all</Link>
        </h2>
        <MovementTable rows={recent.data?.data ?? []} />
      </div>
    </section>
  );
}

export function AlertsPage() {
  const { siteId } = useSite();
  const caps = useCapabilities();
  const status = new URLSearchParams(window.location.search).get('status');
  const alerts = useQuery({
    queryKey: ['stock-alerts', siteId],
    queryFn: () => api.get<{ data: StockAlert[] }>('/api/v1/reports/stock-alerts', { location_id: siteId ?? undefined }),
    enabled: caps.has('get', '/api/v1/reports/stock-alerts'),
  });
  const rows = (alerts.data?.data ?? []).filter((a) => !status || a.status === status);
  return (
    <section>
      <PageHeader title={status === 'low' ? 'Low stock' : status === 'out_of_stock' ? 'Out of stock' : 'Stock alerts'} />
      {caps.ready && !caps.has('get', '/api/v1/reports/stock-alerts') && <p>This server does not report stock alerts yet.</p>}
      <ErrorBanner error={alerts.error} />
      <ListTable exportName="stock-alerts">
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Category</th>
            <th scope="col" className="num">
              On hand
            </th>
            <th scope="col" className="num">
              Reorder point
            </th>
            <th scope="col" className="num">
              On order
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.item_id}>
              <td>
                <Link to={`/items/${a.item_id}`}>{a.name}</Link> <span className="muted">{a.sku}</span>
              </td>
              <td>{a.category ?? ''}</td>
              <td className="num">{a.on_hand}</td>
              <td className="num">{a.reorder_point ?? '—'}</td>
              <td className="num">{a.on_order || '—'}</td>
              <td>
                <span className={`badge badge-${a.status}`}>{a.status.replace(/_/g, ' ')}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </ListTable>
    </section>
  );
}
