import type { AuditEvent } from '../api/types.ts';
import { FilterInput, FilterSelect, PagedList, useUrlFilters, type Column } from '../components/PagedList.tsx';
import { formatDateTime, PageHeader } from '../components/ui.tsx';

const OUTCOMES = [
  { value: '', label: 'Any' },
  { value: 'success', label: 'Succeeded' },
  { value: 'failure', label: 'Failed or refused' },
];
const METHODS = [{ value: '', label: 'Any' }, ...['POST', 'PUT', 'PATCH', 'DELETE'].map((m) => ({ value: m, label: m }))];

export function AuditPage() {
  const filters = useUrlFilters();
  const get = (name: string) => filters.get(name).trim();
  const columns: Column<AuditEvent>[] = [
    { key: 'when', header: 'When', cell: (e) => formatDateTime(e.at) },
    { key: 'who', header: 'Who', cell: (e) => (e.actor ? `${e.actor.label} (${e.actor.kind})` : 'nobody signed in') },
    {
      key: 'what',
      header: 'What',
      cell: (e) => (
        <>
          <span className="mono">
            {e.method} {e.route}
          </span>
          {e.note && <div className="muted">{e.note}</div>}
        </>
      ),
    },
    { key: 'outcome', header: 'Outcome', cell: (e) => `${e.status} ${e.problem_code ?? ''}` },
    {
      key: 'records',
      header: 'Records',
      cell: (e) =>
        e.targets.map((t) => (
          <button key={t.id} type="button" className="link mono" onClick={() => filters.set({ target_id: t.id })}>
            {t.id}
          </button>
        )),
    },
    { key: 'from', header: 'From', cell: (e) => e.ip ?? '' },
  ];
  return (
    <section>
      <PageHeader title="Audit log">
        <p className="subtitle">Every change, every refused attempt and every sign-in: who, what, when and from where.</p>
      </PageHeader>
      <PagedList<AuditEvent>
        noun="events"
        queryKey={['audit', filters.key]}
        sources={{
          path: '/api/v1/audit-events',
          query: {
            outcome: get('outcome') || undefined,
            method: get('method') || undefined,
            target_id: get('target_id') || undefined,
            actor_id: get('actor_id') || undefined,
            from: get('from') ? new Date(`${get('from')}T00:00:00`).toISOString() : undefined,
          },
        }}
        columns={columns}
        rowKey={(e) => e.id}
        rowClass={(e) => (e.outcome === 'failure' ? 'failure' : undefined)}
        empty="No events match."
        filters={
          <>
            <FilterSelect label="Outcome" name="outcome" options={OUTCOMES} />
            <FilterSelect label="Method" name="method" options={METHODS} />
            <FilterInput label="Record id" name="target_id" placeholder="itm_…, po_…" />
            <FilterInput label="Person or token id" name="actor_id" placeholder="usr_…, tok_…" />
            <FilterInput label="Since" name="from" type="date" />
          </>
        }
      />
    </section>
  );
}
