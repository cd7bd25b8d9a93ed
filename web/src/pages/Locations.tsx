import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { mapProblem, type MappedProblem } from '../api/problem.ts';
import type { Location } from '../api/types.ts';
import { useLocations, useSignedIn } from '../auth/session.tsx';
import { PrintLabels } from '../components/PrintLabels.tsx';
import { FormErrors, PageHeader, SelectField, StatusBadge, TextField } from '../components/ui.tsx';

const none: MappedProblem = { byField: {}, general: [] };

interface Selection {
  selected: ReadonlySet<string>;
  toggle(id: string): void;
}

function Tree({ nodes, depth = 0, selection }: { nodes: Location[]; depth?: number; selection: Selection }) {
  return (
    <ul className={depth === 0 ? 'tree' : undefined}>
      {nodes.map((l) => (
        <li key={l.id}>
          {l.kind === 'bin' && <input type="checkbox" checked={selection.selected.has(l.id)} onChange={() => selection.toggle(l.id)} aria-label={`Select bin ${l.full_code} for labels`} />}{' '}
          <strong>{l.kind === 'site' ? l.name : l.full_code}</strong> {l.kind !== 'site' && <span className="muted">{l.name}</span>} <span className="badge">{l.site_type ?? l.kind}</span>
          {l.negative_stock && l.kind === 'site' && <span className="muted"> · negative stock: {l.negative_stock}</span>}
          {l.purpose === 'quarantine' && <StatusBadge status="quarantine" />}
          {l.children && l.children.length > 0 && <Tree nodes={l.children} depth={depth + 1} selection={selection} />}
        </li>
      ))}
    </ul>
  );
}

/** Sites (stores, warehouses), their zones and bins. */
export function LocationsPage() {
  const session = useSignedIn();
  const { tree, all } = useLocations();
  const qc = useQueryClient();
  const [form, setForm] = useState({ kind: 'site', parent_id: '', code: '', name: '', site_type: 'store', purpose: 'stock' });
  const [problem, setProblem] = useState(none);
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<Location>('/api/v1/locations', body),
    onSuccess: () => {
      setForm((f) => ({ ...f, code: '', name: '' }));
      void qc.invalidateQueries({ queryKey: ['locations'] });
    },
    onError: (e) => setProblem(mapProblem(e, Object.keys(form))),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblem(none);
    create.mutate(
      form.kind === 'site'
        ? { kind: 'site', code: form.code, name: form.name, site_type: form.site_type }
        : { kind: form.kind, parent_id: form.parent_id, code: form.code, name: form.name, ...(form.kind === 'bin' ? { purpose: form.purpose } : {}) },
    );
  };
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  // Bins ticked in the tree get labels.
  const [bins, setBins] = useState<ReadonlySet<string>>(new Set());
  const selection: Selection = {
    selected: bins,
    toggle: (id) =>
      setBins((current) => {
        const next = new Set(current);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
  };
  return (
    <section>
      <PageHeader
        title="Locations"
        actions={bins.size > 0 && <PrintLabels key={[...bins].join(',')} source={{ kind: 'bins', bin_ids: [...bins] }} defaultTemplate="bin" />}
      >
        <p className="subtitle">Tick bins to print their labels.</p>
      </PageHeader>
      <div className="grid-2">
        <div className="card">{tree.length === 0 ? <p className="empty">No sites yet: add the shop’s first store or warehouse.</p> : <Tree nodes={tree} selection={selection} />}</div>
        {session.can('locations.write') && (
          <form className="card form" onSubmit={submit} noValidate aria-label="Add a location">
            <h2>Add a location</h2>
            <FormErrors messages={problem.general} />
            <SelectField
              label="Kind"
              value={form.kind}
              onValue={set('kind')}
              options={[
                { value: 'site', label: 'Site (a store or warehouse)' },
                { value: 'zone', label: 'Zone (an area of a site)' },
                { value: 'bin', label: 'Bin (a shelf or place that holds stock)' },
              ]}
            />
            {form.kind === 'site' ? (
              <SelectField
                label="Site type"
                value={form.site_type}
                onValue={set('site_type')}
                options={[
                  { value: 'store', label: 'Store (sells at the counter; may go negative)' },
                  { value: 'warehouse', label: 'Warehouse (never oversells)' },
                ]}
              />
            ) : (
              <SelectField
                label="Inside"
                value={form.parent_id}
                onValue={set('parent_id')}
                error={problem.byField.parent_id}
                options={[{ value: '', label: 'Choose…' }, ...all.filter((l) => l.kind === 'site' || l.kind === 'zone').map((l) => ({ value: l.id, label: l.kind === 'site' ? l.name : l.full_code }))]}
              />
            )}
            <TextField label="Code" value={form.code} onValue={set('code')} error={problem.byField.code} hint="Short, e.g. MAIN or A-01" />
            <TextField label="Name" value={form.name} onValue={set('name')} error={problem.byField.name} />
            {form.kind === 'bin' && (
              <SelectField
                label="Purpose"
                value={form.purpose}
                onValue={set('purpose')}
                options={[
                  { value: 'stock', label: 'Stock' },
                  { value: 'quarantine', label: 'Quarantine (never sold or picked)' },
                ]}
              />
            )}
            <button type="submit" className="primary" disabled={create.isPending}>
              Add location
            </button>
          </form>
        )}
      </div>
    </section>
  );
}
