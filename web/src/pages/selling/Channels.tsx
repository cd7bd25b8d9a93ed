import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import { useLocationLabel, useLocations, useSignedIn } from '../../auth/session.tsx';
import { Empty, ErrorBanner, FormErrors, PageHeader, SelectField, StatusBadge, TextField } from '../../components/ui.tsx';
import type { Channel } from './types.ts';
import { ListTable } from '../../components/ListTable.tsx';

const none: MappedProblem = { byField: {}, general: [] };

/** Where the shop sells: its counters, its web shop and marketplaces, and the sites each sells from. */
export function ChannelsPage() {
  const session = useSignedIn();
  const { sites } = useLocations();
  const label = useLocationLabel();
  const qc = useQueryClient();
  const channels = useQuery({ queryKey: ['channels'], queryFn: () => api.get<{ data: Channel[] }>('/api/v1/channels') });
  const [form, setForm] = useState({ name: '', kind: 'online', backorder_policy: 'refuse' });
  const [siteIds, setSiteIds] = useState<string[]>([]);
  const [categories, setCategories] = useState('');
  const [problem, setProblem] = useState(none);
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<Channel>('/api/v1/channels', body),
    onSuccess: () => {
      setForm({ name: '', kind: 'online', backorder_policy: 'refuse' });
      setSiteIds([]);
      setCategories('');
      void qc.invalidateQueries({ queryKey: ['channels'] });
    },
    onError: (e) => setProblem(mapProblem(e, ['name', 'kind', 'site_ids', 'backorder_policy', 'categories'])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblem(none);
    const assortment = [...new Set(categories.split(',').map((c) => c.trim()).filter(Boolean))];
    create.mutate({ ...form, site_ids: siteIds, categories: assortment.length ? assortment : null });
  };
  return (
    <section>
      <PageHeader title="Sales channels" />
      <ErrorBanner error={channels.error} />
      {(channels.data?.data ?? []).length === 0 ? (
        <Empty>No channels yet.</Empty>
      ) : (
        <ListTable exportName="channels">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Sells from (nearest first)</th>
              <th scope="col">Sells</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {channels.data!.data.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/selling/channels/${c.id}`}>{c.name}</Link> · <Link to={`/selling/channels/${c.id}/connect`}>Connect</Link>
                </td>
                <td>{c.kind}</td>
                <td>{c.site_ids.map(label).join(' → ')}</td>
                <td>{c.categories ? c.categories.join(', ') : 'every item'}</td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
      {session.can('channels.write') ? (
        <form className="card form" onSubmit={submit} noValidate aria-label="Add a channel">
          <h2>Add a channel</h2>
          <FormErrors messages={problem.general} />
          <div className="grid-3">
            <TextField label="Name" value={form.name} onValue={(v) => setForm((f) => ({ ...f, name: v }))} error={problem.byField.name} />
            <SelectField
              label="Kind"
              value={form.kind}
              onValue={(v) => setForm((f) => ({ ...f, kind: v }))}
              options={[
                { value: 'online', label: 'Online store' },
                { value: 'marketplace', label: 'Marketplace' },
                { value: 'pos', label: 'Store counter' },
              ]}
            />
            <SelectField
              label="When stock is short"
              value={form.backorder_policy}
              onValue={(v) => setForm((f) => ({ ...f, backorder_policy: v }))}
              options={[
                { value: 'refuse', label: 'Refuse the order' },
                { value: 'allow', label: 'Take it as a back-order' },
              ]}
            />
          </div>
          <TextField
            label="Categories it sells"
            value={categories}
            onValue={setCategories}
            error={problem.byField.categories}
            hint="Comma-separated catalogue categories, e.g. Home, Stationery; empty sells every item"
          />
          <fieldset>
            <legend>Sells from</legend>
            {sites.map((s) => (
              <label key={s.id} className="check-inline">
                <input type="checkbox" checked={siteIds.includes(s.id)} onChange={(e) => setSiteIds((ids) => (e.target.checked ? [...ids, s.id] : ids.filter((x) => x !== s.id)))} /> {s.name}
              </label>
            ))}
            {problem.byField.site_ids && <div className="field-error">{problem.byField.site_ids}</div>}
          </fieldset>
          <button type="submit" className="primary" disabled={create.isPending}>
            Add channel
          </button>
        </form>
      ) : null}
    </section>
  );
}
