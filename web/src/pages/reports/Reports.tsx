import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, withQuery } from '../../api/client.ts';
import { useSettings, useSignedIn, useSite } from '../../auth/session.tsx';
import { formatMoney, formatQty, formatUnitCost } from '../../lib/decimal.ts';
import { dayToSeconds, TimeChart } from '../../components/Chart.tsx';
import { Empty, ErrorBanner, Loading, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import { daysAgo, localDate } from '../../lib/items.ts';
import { drillPage, REPORTS, type ReportSpec } from './catalogue.ts';

export interface ReportColumn {
  key: string;
  label: string;
  type: 'text' | 'date' | 'int' | 'qty' | 'money' | 'percent' | 'decimal';
}

export interface ReportTable {
  report: string;
  title: string;
  meta: Record<string, string | number | null>;
  columns: ReportColumn[];
  data: Array<Record<string, string | number | null>>;
  totals: Record<string, string | number | null> | null;
  truncated: boolean;
}

export function ReportsPage() {
  const session = useSignedIn();
  const reports = REPORTS.filter((r) => !r.costsOnly || session.seesCosts);
  return (
    <section>
      <PageHeader title="Reports" />
      <ul className="report-list">
        {reports.map((r) => (
          <li key={r.name}>
            <Link to={`/reports/${r.name}`}>{r.title}</Link>
            <p>{r.blurb}</p>
          </li>
        ))}
        <li>
          <Link to="/reports/build">Build a report</Link>
          <p>Your own table: sales lines, movements or balances, grouped and summed your way, compared with the period before.</p>
        </li>
        {session.can('reports.read') ? (
          <li>
            <Link to="/reports/vendor-performance">Vendor performance</Link>
            <p>On-time and fill rates, lead times and price variance per vendor.</p>
          </li>
        ) : null}
      </ul>
    </section>
  );
}

/** The query a report is asked with, from the filters on screen. */
export function reportQuery(spec: ReportSpec, f: Filters, siteId: string | null): Record<string, string> {
  const q: Record<string, string> = {};
  if (spec.filters.period) {
    q.from = f.from;
    q.to = f.to;
  }
  if (siteId) q.site_id = siteId;
  if (spec.filters.items && f.category) q.category = f.category;
  if (spec.filters.by) q.by = f.by || spec.filters.by[0]!;
  if (spec.filters.channel && f.channel) q.channel_id = f.channel;
  if (spec.filters.days) q.days = String(f.days || spec.filters.days.default);
  if (spec.filters.coverWeeks && f.coverWeeks) q.cover_weeks = f.coverWeeks;
  return q;
}

interface Filters {
  from: string;
  to: string;
  category: string;
  by: string;
  channel: string;
  days: string;
  coverWeeks: string;
}

export function ReportPage() {
  const { name } = useParams();
  const spec = REPORTS.find((r) => r.name === name);
  const { siteId } = useSite();
  const [filters, setFilters] = useState<Filters>({ from: daysAgo(29), to: localDate(), category: '', by: '', channel: '', days: '', coverWeeks: '' });
  const query = spec ? reportQuery(spec, filters, siteId) : {};
  const table = useQuery({
    queryKey: ['report', name, query],
    queryFn: () => api.get<ReportTable>(`/api/v1/reports/${name}`, query),
    enabled: Boolean(spec),
  });
  if (!spec) return <Empty>No report called {name}.</Empty>;
  const set = (key: keyof Filters) => (v: string) => setFilters((f) => ({ ...f, [key]: v }));
  return (
    <section>
      <PageHeader
        title={spec.title}
        actions={
          <>
            <a className="button ghost" href={withQuery(`/api/v1/reports/${spec.name}/export`, { ...query, format: 'csv' })} download>
              Export CSV
            </a>
            <a className="button ghost" href={withQuery(`/api/v1/reports/${spec.name}/export`, { ...query, format: 'xlsx' })} download>
              Export XLSX
            </a>
          </>
        }
      >
        <p>{spec.blurb}</p>
      </PageHeader>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        {spec.filters.period ? (
          <>
            <TextField label="From" type="date" value={filters.from} onValue={set('from')} />
            <TextField label="To" type="date" value={filters.to} onValue={set('to')} />
          </>
        ) : null}
        {spec.filters.by ? <SelectField label="By" value={filters.by || spec.filters.by[0]} onValue={set('by')} options={spec.filters.by.map((b) => ({ value: b, label: b }))} /> : null}
        {spec.filters.items ? <TextField label="Category" value={filters.category} onValue={set('category')} /> : null}
        {spec.filters.channel ? <TextField label="Channel id (or counter)" value={filters.channel} onValue={set('channel')} /> : null}
        {spec.filters.days ? <TextField label={spec.filters.days.label} type="number" min={0} value={filters.days || String(spec.filters.days.default)} onValue={set('days')} /> : null}
        {spec.filters.coverWeeks ? <TextField label="Slow beyond (weeks of cover)" type="number" min={1} value={filters.coverWeeks || '26'} onValue={set('coverWeeks')} /> : null}
      </form>
      {table.error ? <ErrorBanner error={table.error} /> : null}
      {table.isLoading ? <Loading /> : null}
      {table.data ? <ReportView table={table.data} chart={spec.chart} /> : null}
    </section>
  );
}

export function ReportView({ table, chart }: { table: ReportTable; chart?: string }) {
  const currency = useSettings().base_currency;
  const [drill, setDrill] = useState<string | null>(null);
  const chartColumn = table.columns.find((c) => c.key === chart);
  return (
    <>
      {chartColumn ? <ReportChart table={table} column={chartColumn} currency={currency} /> : null}
      {table.data.length === 0 ? (
        <Empty>Nothing in this period.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="report-table">
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c.key} className={c.type === 'text' || c.type === 'date' ? undefined : 'num'}>
                    {c.label}
                  </th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {table.data.map((row, i) => (
                <tr key={i}>
                  {table.columns.map((c) => (
                    <td key={c.key} className={c.type === 'text' || c.type === 'date' ? undefined : 'num'}>
                      {formatCell(c, row[c.key], currency)}
                    </td>
                  ))}
                  <td>
                    {typeof row.drill === 'string' ? (
                      <button type="button" className="link" onClick={() => setDrill(row.drill as string)}>
                        Details
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
            {table.totals ? (
              <tfoot>
                <tr>
                  {table.columns.map((c, i) => (
                    <th key={c.key} className={c.type === 'text' || c.type === 'date' ? undefined : 'num'}>
                      {i === 0 && table.totals![c.key] == null ? 'Total' : formatCell(c, table.totals![c.key], currency)}
                    </th>
                  ))}
                  <th />
                </tr>
              </tfoot>
            ) : null}
          </table>
        </div>
      )}
      {table.truncated ? <p className="hint">Only the first rows are shown; the export has them all.</p> : null}
      {drill ? <DrillDown path={drill} onClose={() => setDrill(null)} /> : null}
    </>
  );
}

/**
 * A figure as a shop owner reads it: money in the shop's currency to the cent (a unit cost to the
 * fraction of a cent that matters), quantities and counts grouped. The exports keep every digit.
 */
function formatCell(column: ReportColumn, value: string | number | null | undefined, currency: string): string {
  if (value === null || value === undefined) return '—';
  switch (column.type) {
    case 'percent':
      return `${value} %`;
    case 'money':
      return /unit/.test(column.key) ? formatUnitCost(String(value), currency) : formatMoney(String(value), currency);
    case 'qty':
      return formatQty(Number(value));
    case 'int':
      return Number(value).toLocaleString('en-US');
    default:
      return String(value);
  }
}

/** A bar's label, cut to what fits beside the bar. */
function shortLabel(text: string): string {
  return text.length > 21 ? `${text.slice(0, 20)}…` : text;
}

function ReportChart({ table, column, currency }: { table: ReportTable; column: ReportColumn; currency: string }) {
  const byDay = table.columns[0]?.type === 'date';
  const values = useMemo(() => table.data.map((r) => Number(r[column.key] ?? 0)), [table, column]);
  if (byDay) {
    const times = table.data.map((r) => dayToSeconds(String(r[table.columns[0]!.key])));
    return <TimeChart title={column.label} times={times} series={[{ label: column.label, values, color: '#2f6fdf', kind: 'bars' }]} />;
  }
  const labelKey = table.columns.find((c) => c.key === 'name' || c.key === 'line')?.key ?? table.columns[0]!.key;
  const rows = table.data.slice(0, 24);
  const max = Math.max(1, ...rows.map((r) => Math.abs(Number(r[column.key] ?? 0))));
  return (
    <figure className="chart bar-chart">
      <figcaption>{column.label}</figcaption>
      <svg role="img" aria-label={`${column.label} per ${table.columns[0]?.label}`} viewBox={`0 0 400 ${rows.length * 18 + 4}`} width="100%">
        {rows.map((r, i) => {
          const v = Number(r[column.key] ?? 0);
          // The longest bar leaves room for its figure inside the 400-wide drawing.
          const w = (Math.abs(v) / max) * 180;
          return (
            <g key={i} transform={`translate(0 ${i * 18 + 2})`}>
              <text x={0} y={12} fontSize={10}>
                {shortLabel(String(r[labelKey] ?? ''))}
              </text>
              <rect x={140} y={2} width={w} height={12} fill={v < 0 ? '#d9534f' : '#2f6fdf'} />
              <text x={144 + w} y={12} fontSize={10}>
                {formatCell(column, r[column.key], currency)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** What is behind one figure: the movements or sales the drill-down query lists. */
function DrillDown({ path, onClose }: { path: string; onClose(): void }) {
  const rows = useQuery({ queryKey: ['drill', path], queryFn: () => api.get<{ data: Array<Record<string, unknown>> }>(path) });
  const page = drillPage(path);
  const keys = rows.data?.data[0] ? Object.keys(rows.data.data[0]).filter((k) => typeof rows.data!.data[0]![k] !== 'object').slice(0, 9) : [];
  return (
    <aside className="drill-down" aria-label="Details">
      <header>
        <h2>Details</h2>
        {page ? <Link to={page}>Open the full list</Link> : null}
        <button type="button" className="ghost" onClick={onClose}>
          Close
        </button>
      </header>
      {rows.error ? <ErrorBanner error={rows.error} /> : null}
      {rows.isLoading ? <Loading /> : null}
      {rows.data ? (
        rows.data.data.length === 0 ? (
          <Empty>Nothing behind this figure.</Empty>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  {keys.map((k) => (
                    <th key={k}>{k.replaceAll('_', ' ')}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.data.data.map((r, i) => (
                  <tr key={i}>
                    {keys.map((k) => (
                      <td key={k}>{r[k] === null || r[k] === undefined ? '—' : String(r[k])}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </aside>
  );
}

interface VendorPerformanceRow {
  vendor_id: string;
  vendor_name: string;
  purchase_orders: number;
  deliveries: number;
  on_time_rate_percent: number | null;
  fill_rate_percent: number | null;
  [key: string]: unknown;
}

/** Vendor performance (the purchasing module's report) on a page of its own. */
export function VendorPerformancePage() {
  const [from, setFrom] = useState(daysAgo(89));
  const [to, setTo] = useState(localDate());
  const rows = useQuery({ queryKey: ['vendor-performance', from, to], queryFn: () => api.get<{ data: VendorPerformanceRow[] }>('/api/v1/reports/vendor-performance', { from, to }) });
  const keys = rows.data?.data[0] ? Object.keys(rows.data.data[0]).filter((k) => k !== 'vendor_id' && typeof rows.data!.data[0]![k] !== 'object') : [];
  return (
    <section>
      <PageHeader title="Vendor performance" />
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <TextField label="From" type="date" value={from} onValue={setFrom} />
        <TextField label="To" type="date" value={to} onValue={setTo} />
      </form>
      {rows.error ? <ErrorBanner error={rows.error} /> : null}
      {rows.isLoading ? <Loading /> : null}
      {rows.data && rows.data.data.length === 0 ? <Empty>No purchase orders sent in this period.</Empty> : null}
      {rows.data && rows.data.data.length > 0 ? (
        <div className="table-scroll">
          <table className="report-table">
            <thead>
              <tr>
                {keys.map((k) => (
                  <th key={k}>{k.replaceAll('_', ' ')}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.data.data.map((r) => (
                <tr key={r.vendor_id}>
                  {keys.map((k) => (
                    <td key={k}>{r[k] === null || r[k] === undefined ? '—' : k === 'vendor_name' ? <Link to={`/purchasing/vendors/${r.vendor_id}`}>{String(r[k])}</Link> : String(r[k])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
