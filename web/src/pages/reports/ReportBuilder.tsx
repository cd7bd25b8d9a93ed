import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, postForFile } from '../../api/client.ts';
import { useSignedIn, useSite } from '../../auth/session.tsx';
import { CheckField, ErrorBanner, Loading, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import { daysAgo, localDate } from '../../lib/items.ts';
import { ReportView, type ReportTable } from './Reports.tsx';

/** What each dataset offers; the server holds the same whitelist and refuses anything else. */
export const BUILDER_DATASETS = {
  sales_lines: {
    label: 'Sales lines',
    periodic: true,
    dimensions: ['item', 'category', 'vendor', 'site', 'channel', 'employee', 'day', 'week', 'month', 'lot'],
    measures: ['quantity', 'revenue', 'cost', 'margin', 'count'],
  },
  movements: {
    label: 'Movements',
    periodic: true,
    dimensions: ['item', 'category', 'vendor', 'site', 'employee', 'day', 'week', 'month', 'lot', 'kind', 'reason'],
    measures: ['quantity', 'value', 'count'],
  },
  balances: { label: 'Balances (now)', periodic: false, dimensions: ['item', 'category', 'vendor', 'site', 'lot'], measures: ['quantity', 'count'] },
  purchase_lines: {
    label: 'Purchase order lines',
    periodic: true,
    dimensions: ['item', 'category', 'vendor', 'site', 'employee', 'day', 'week', 'month', 'kind'],
    measures: ['quantity', 'value', 'received_quantity', 'received_value', 'unit_cost', 'days_late', 'count'],
  },
  counts: {
    label: 'Count lines',
    periodic: true,
    dimensions: ['item', 'category', 'vendor', 'site', 'employee', 'day', 'week', 'month', 'lot', 'kind', 'reason'],
    measures: ['expected_quantity', 'counted_quantity', 'variance_quantity', 'variance_value', 'count'],
  },
} as const;

export type BuilderDataset = keyof typeof BUILDER_DATASETS;
const COST_MEASURES = new Set(['value', 'cost', 'margin', 'received_value', 'unit_cost', 'variance_value']);

export interface BuilderState {
  dataset: BuilderDataset;
  dimensions: string[];
  measures: string[];
  from: string;
  to: string;
  category: string;
  compare: boolean;
}

/** The definition the API is sent, from what is on screen: only what the dataset has. */
export function builderDefinition(s: BuilderState, siteId: string | null, seesCosts: boolean): Record<string, unknown> {
  const spec = BUILDER_DATASETS[s.dataset];
  const dims = s.dimensions.filter((d) => (spec.dimensions as readonly string[]).includes(d));
  const measures = s.measures.filter((m) => (spec.measures as readonly string[]).includes(m) && (seesCosts || !COST_MEASURES.has(m)));
  const filters: Record<string, string> = {};
  if (siteId) filters.site_id = siteId;
  if (s.category) filters.category = s.category;
  return {
    dataset: s.dataset,
    dimensions: dims,
    measures: measures.length ? measures : ['count'],
    ...(spec.periodic ? { from: s.from, to: s.to, compare: s.compare } : {}),
    ...(Object.keys(filters).length ? { filters } : {}),
  };
}

function toggle(list: string[], value: string): string[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

export function ReportBuilderPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const [state, setState] = useState<BuilderState>({ dataset: 'sales_lines', dimensions: ['category'], measures: ['quantity', 'revenue'], from: daysAgo(29), to: localDate(), category: '', compare: false });
  const spec = BUILDER_DATASETS[state.dataset];
  const definition = builderDefinition(state, siteId, session.seesCosts);
  const run = useMutation({ mutationFn: () => api.post<ReportTable>('/api/v1/reports/custom/run', definition) });
  const exportFile = useMutation({
    mutationFn: async (format: 'csv' | 'xlsx') => {
      const blob = await postForFile('/api/v1/reports/custom/export', definition, { format });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `custom-${state.dataset}.${format}`;
      a.click();
      URL.revokeObjectURL(url);
    },
  });
  const set = <K extends keyof BuilderState>(key: K) => (v: BuilderState[K]) => setState((s) => ({ ...s, [key]: v }));
  return (
    <section>
      <PageHeader
        title="Build a report"
        actions={
          <>
            <button type="button" className="ghost" onClick={() => exportFile.mutate('csv')}>
              Export CSV
            </button>
            <button type="button" className="ghost" onClick={() => exportFile.mutate('xlsx')}>
              Export XLSX
            </button>
          </>
        }
      >
        <p>Choose what to count, how to group it and over which days. At most 10,000 rows: narrow the period or choose coarser groups when asked.</p>
      </PageHeader>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <SelectField label="Dataset" value={state.dataset} onValue={(v) => set('dataset')(v as BuilderDataset)} options={Object.entries(BUILDER_DATASETS).map(([value, d]) => ({ value, label: d.label }))} />
        {spec.periodic ? (
          <>
            <TextField label="From" type="date" value={state.from} onValue={set('from')} />
            <TextField label="To" type="date" value={state.to} onValue={set('to')} />
          </>
        ) : null}
        <TextField label="Category" value={state.category} onValue={set('category')} />
        <fieldset>
          <legend>Group by</legend>
          {spec.dimensions.map((d) => (
            <CheckField key={d} label={d} checked={state.dimensions.includes(d)} onValue={() => set('dimensions')(toggle(state.dimensions, d))} />
          ))}
        </fieldset>
        <fieldset>
          <legend>Measures</legend>
          {spec.measures
            .filter((m) => session.seesCosts || !COST_MEASURES.has(m))
            .map((m) => (
              <CheckField key={m} label={m} checked={state.measures.includes(m)} onValue={() => set('measures')(toggle(state.measures, m))} />
            ))}
        </fieldset>
        {spec.periodic ? <CheckField label="Compare with the previous period" checked={state.compare} onValue={set('compare')} /> : null}
        <button type="submit">Run</button>
      </form>
      {run.error ? <ErrorBanner error={run.error} /> : null}
      {exportFile.error ? <ErrorBanner error={exportFile.error} /> : null}
      {run.isPending ? <Loading /> : null}
      {run.data ? <ReportView table={run.data} /> : null}
      <SavedReports definition={definition} onOpen={(saved) => setState(stateOf(saved.definition, state))} />
    </section>
  );
}

export interface SavedSchedule {
  id: string;
  frequency: 'daily' | 'weekly';
  weekday: number | null;
  hour: number;
  format: 'csv' | 'xlsx';
  recipients: string[];
  next_run_at: string;
}

export interface SavedReport {
  id: string;
  name: string;
  definition: { dataset: BuilderDataset; dimensions: string[]; measures: string[]; from?: string; to?: string; compare?: boolean; filters?: Record<string, string> };
  last_days: number | null;
  shared_with: string[];
  schedules: SavedSchedule[];
}

/** The builder's screen from a saved definition (the site filter stays the one chosen at the top of the app). */
export function stateOf(def: SavedReport['definition'], current: BuilderState): BuilderState {
  return {
    dataset: def.dataset,
    dimensions: [...def.dimensions],
    measures: [...def.measures],
    from: def.from ?? current.from,
    to: def.to ?? current.to,
    category: def.filters?.category ?? '',
    compare: def.compare ?? false,
  };
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SHAREABLE = ['manager', 'staff', 'viewer'];

/**
 * Saved reports: open one into the builder, run or export it as you (your sites; no costs for
 * staff), and — for owners and managers — save what is on screen, share it with roles, and have
 * it emailed daily or weekly as CSV or XLSX.
 */
function SavedReports({ definition, onOpen }: { definition: Record<string, unknown>; onOpen(saved: SavedReport): void }) {
  const session = useSignedIn();
  const manages = session.can('reports.manage');
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['saved-reports'], queryFn: () => api.get<{ data: SavedReport[] }>('/api/v1/saved-reports') });
  const refresh = () => client.invalidateQueries({ queryKey: ['saved-reports'] });
  const [name, setName] = useState('');
  const [shared, setShared] = useState<string[]>([]);
  const [lastDays, setLastDays] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const body = () => ({ name, definition, shared_with: shared, last_days: lastDays ? Number(lastDays) : null });
  const save = useMutation({
    mutationFn: () => (openId ? api.patch<SavedReport>(`/api/v1/saved-reports/${openId}`, body()) : api.post<SavedReport>('/api/v1/saved-reports', body())),
    onSuccess: (saved) => {
      setOpenId(saved.id);
      void refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/api/v1/saved-reports/${id}`), onSuccess: () => void refresh() });
  const ran = useMutation({ mutationFn: (id: string) => api.get<ReportTable>(`/api/v1/saved-reports/${id}/run`) });
  const open = (saved: SavedReport) => {
    setOpenId(saved.id);
    setName(saved.name);
    setShared(saved.shared_with);
    setLastDays(saved.last_days === null ? '' : String(saved.last_days));
    onOpen(saved);
  };
  const current = list.data?.data.find((r) => r.id === openId) ?? null;
  return (
    <section aria-label="Saved reports">
      <h2>Saved reports</h2>
      {list.error ? <ErrorBanner error={list.error} /> : null}
      {list.data && list.data.data.length === 0 ? <p>None yet.</p> : null}
      <ul className="saved-reports">
        {(list.data?.data ?? []).map((r) => (
          <li key={r.id}>
            <strong>{r.name}</strong> — {BUILDER_DATASETS[r.definition.dataset]?.label ?? r.definition.dataset}
            {r.shared_with.length ? `, shared with ${r.shared_with.join(', ')}` : ''}
            {r.schedules.length ? `, emailed ${r.schedules.map((s) => s.frequency).join(' and ')}` : ''}{' '}
            <button type="button" className="ghost" onClick={() => open(r)}>
              Open
            </button>
            <button type="button" className="ghost" onClick={() => ran.mutate(r.id)}>
              Run
            </button>
            <a className="button ghost" href={`/api/v1/saved-reports/${r.id}/export?format=xlsx`}>
              XLSX
            </a>
            {manages ? (
              <button type="button" className="ghost" onClick={() => remove.mutate(r.id)}>
                Delete
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {ran.error ? <ErrorBanner error={ran.error} /> : null}
      {ran.data ? <ReportView table={ran.data} /> : null}
      {manages ? (
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <TextField label="Name" value={name} onValue={setName} required />
          <TextField label="Rolling period (days, instead of the dates)" type="number" min={1} max={366} value={lastDays} onValue={setLastDays} />
          <fieldset>
            <legend>Share with</legend>
            {SHAREABLE.map((role) => (
              <CheckField key={role} label={role} checked={shared.includes(role)} onValue={() => setShared(toggle(shared, role))} hint={role === 'staff' ? 'never with cost columns' : undefined} />
            ))}
          </fieldset>
          <button type="submit">{openId ? 'Save changes' : 'Save this report'}</button>
          {openId ? (
            <button type="button" className="ghost" onClick={() => setOpenId(null)}>
              Save as new
            </button>
          ) : null}
          {save.error ? <ErrorBanner error={save.error} /> : null}
        </form>
      ) : null}
      {manages && current ? <ScheduleForm report={current} onChange={() => void refresh()} /> : null}
    </section>
  );
}

function ScheduleForm({ report, onChange }: { report: SavedReport; onChange(): void }) {
  const [frequency, setFrequency] = useState<'daily' | 'weekly'>('weekly');
  const [weekday, setWeekday] = useState('0');
  const [hour, setHour] = useState('7');
  const [format, setFormat] = useState<'csv' | 'xlsx'>('xlsx');
  const [recipients, setRecipients] = useState('');
  const add = useMutation({
    mutationFn: () =>
      api.post(`/api/v1/saved-reports/${report.id}/schedules`, {
        frequency,
        ...(frequency === 'weekly' ? { weekday: Number(weekday) } : {}),
        hour: Number(hour),
        format,
        recipients: recipients.split(/[,\s]+/).filter(Boolean),
      }),
    onSuccess: onChange,
  });
  const stop = useMutation({ mutationFn: (id: string) => api.delete(`/api/v1/saved-reports/${report.id}/schedules/${id}`), onSuccess: onChange });
  return (
    <section aria-label="Email schedule">
      <h3>Email “{report.name}”</h3>
      <ul>
        {report.schedules.map((s) => (
          <li key={s.id}>
            {s.frequency === 'weekly' ? `Every ${WEEKDAYS[s.weekday ?? 0]}` : 'Every day'} at {String(s.hour).padStart(2, '0')}:00, {s.format.toUpperCase()} to {s.recipients.join(', ')} (next {new Date(s.next_run_at).toLocaleString()}){' '}
            <button type="button" className="ghost" onClick={() => stop.mutate(s.id)}>
              Stop
            </button>
          </li>
        ))}
      </ul>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <SelectField label="How often" value={frequency} onValue={(v) => setFrequency(v as 'daily' | 'weekly')} options={[{ value: 'daily', label: 'Daily' }, { value: 'weekly', label: 'Weekly' }]} />
        {frequency === 'weekly' ? <SelectField label="On" value={weekday} onValue={setWeekday} options={WEEKDAYS.map((label, i) => ({ value: String(i), label }))} /> : null}
        <TextField label="Hour (shop time)" type="number" min={0} max={23} value={hour} onValue={setHour} />
        <SelectField label="As" value={format} onValue={(v) => setFormat(v as 'csv' | 'xlsx')} options={[{ value: 'xlsx', label: 'XLSX' }, { value: 'csv', label: 'CSV' }]} />
        <TextField label="Email to (comma-separated)" value={recipients} onValue={setRecipients} required />
        <button type="submit">Add schedule</button>
        {add.error ? <ErrorBanner error={add.error} /> : null}
        {stop.error ? <ErrorBanner error={stop.error} /> : null}
      </form>
    </section>
  );
}
