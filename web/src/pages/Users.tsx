import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { mapProblem, type MappedProblem } from '../api/problem.ts';
import type { ApiToken, Page, Role, User } from '../api/types.ts';
import { useLocations, useSignedIn } from '../auth/session.tsx';
import { LinkedApps } from './oauth/LinkedApps.tsx';
import { ErrorBanner, formatDateTime, FormErrors, PageHeader, SelectField, StatusBadge, TextField } from '../components/ui.tsx';
import { ListTable } from '../components/ListTable.tsx';

const none: MappedProblem = { byField: {}, general: [] };
const ROLE_OPTIONS: { value: Role; label: string }[] = [
  { value: 'staff', label: 'Staff' },
  { value: 'viewer', label: 'Viewer' },
  { value: 'manager', label: 'Manager' },
  { value: 'owner', label: 'Owner' },
];

/** What each role may do, shown under the role box (the box itself stays short enough to read whole). */
const ROLE_HINTS: Record<Role, string> = {
  staff: 'Sells, receives, counts; never sees costs',
  viewer: 'Reads stock and reports',
  manager: 'Everything at their sites',
  owner: 'Everything',
};

/** A page for those who may not use it: one sentence, and none of the forms they could not submit. */
function NotAllowed({ title, what }: { title: string; what: string }) {
  return (
    <section>
      <PageHeader title={title} />
      <p className="banner" role="status">
        Your role does not include {what}. Ask an owner or a manager.
      </p>
    </section>
  );
}

function SitesPicker({ value, onValue, error }: { value: 'all' | string[]; onValue(v: 'all' | string[]): void; error?: string }) {
  const session = useSignedIn();
  const { sites } = useLocations();
  return (
    <fieldset className="sites-picker">
      <legend>Sites</legend>
      {session.sites === 'all' && (
        <label>
          <input type="checkbox" checked={value === 'all'} onChange={(e) => onValue(e.target.checked ? 'all' : [])} /> Every site
        </label>
      )}
      {value !== 'all' &&
        sites.map((s) => (
          <label key={s.id}>
            <input type="checkbox" checked={value.includes(s.id)} onChange={(e) => onValue(e.target.checked ? [...value, s.id] : value.filter((x) => x !== s.id))} /> {s.name}
          </label>
        ))}
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </fieldset>
  );
}

export function UsersPage() {
  const session = useSignedIn();
  if (!session.can('users.manage')) return <NotAllowed title="Users" what="managing users" />;
  return <ManageUsers />;
}

function ManageUsers() {
  const session = useSignedIn();
  const qc = useQueryClient();
  const { byId } = useLocations();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.get<Page<User>>('/api/v1/users', { limit: 500 }) });
  const [form, setForm] = useState({ name: '', email: '', role: 'staff' as Role, password: '' });
  const [sites, setSites] = useState<'all' | string[]>([]);
  const [problem, setProblem] = useState(none);
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<User>('/api/v1/users', body),
    onSuccess: () => {
      setForm({ name: '', email: '', role: 'staff', password: '' });
      setSites([]);
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (e) => setProblem(mapProblem(e, ['name', 'email', 'role', 'password', 'sites'])),
  });
  const toggle = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'disable' | 'enable' }) => api.post<User>(`/api/v1/users/${id}/${action}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['users'] }),
  });
  const [editing, setEditing] = useState<User | null>(null);
  const [appsOf, setAppsOf] = useState<User | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblem(none);
    create.mutate({ ...form, sites: form.role === 'owner' ? 'all' : sites });
  };
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <section>
      <PageHeader title="Users" />
      <ErrorBanner error={users.error ?? toggle.error} />
      <ListTable exportName="users">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Sites</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(users.data?.data ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{u.role}</td>
              <td>{u.sites === 'all' ? 'all' : u.sites.map((s) => byId.get(s)?.name ?? s).join(', ')}</td>
              <td>{formatDateTime(u.last_login_at)}</td>
              <td>
                <StatusBadge status={u.status} />
              </td>
              <td>
                {(session.role === 'owner' || u.id === session.user?.id) && (
                  <button type="button" className="link" onClick={() => setAppsOf(appsOf?.id === u.id ? null : u)} aria-label={`Linked apps of ${u.name}`}>
                    Linked apps
                  </button>
                )}{' '}
                {u.id !== session.user?.id && (
                  <>
                    <button type="button" className="link" onClick={() => setEditing(u)} aria-label={`Change ${u.name}`}>
                      Change
                    </button>{' '}
                    <button type="button" className="link" onClick={() => toggle.mutate({ id: u.id, action: u.status === 'active' ? 'disable' : 'enable' })}>
                      {u.status === 'active' ? 'Disable' : 'Enable'}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </ListTable>
      {editing && <EditUser key={editing.id} user={editing} onDone={() => setEditing(null)} />}
      {appsOf && <LinkedApps key={appsOf.id} userId={appsOf.id} heading={`Linked apps of ${appsOf.name}`} />}
      <form className="card form" onSubmit={submit} noValidate aria-label="Add a user">
        <h2>Add a user</h2>
        <FormErrors messages={problem.general} />
        <div className="grid-3">
          <TextField label="Name" value={form.name} onValue={set('name')} error={problem.byField.name} />
          <TextField label="Email" type="email" value={form.email} onValue={set('email')} error={problem.byField.email} />
          <SelectField label="Role" value={form.role} onValue={set('role')} error={problem.byField.role} hint={ROLE_HINTS[form.role]} options={ROLE_OPTIONS.filter((r) => session.role === 'owner' || r.value === 'staff' || r.value === 'viewer')} />
          <TextField label="Password" type="password" autoComplete="new-password" value={form.password} onValue={set('password')} error={problem.byField.password} hint="At least 12 characters; they can change it after signing in" />
        </div>
        {form.role !== 'owner' && <SitesPicker value={sites} onValue={setSites} error={problem.byField.sites} />}
        <button type="submit" className="primary" disabled={create.isPending}>
          Add user
        </button>
      </form>
    </section>
  );
}

/** Changes a user's name, role and sites (which ends their sessions), or sets a new password for them. */
function EditUser({ user, onDone }: { user: User; onDone(): void }) {
  const session = useSignedIn();
  const qc = useQueryClient();
  // What the server last said of the user: changes are worked out against it, not against the row first clicked.
  const [saved, setSaved] = useState(user);
  const [form, setForm] = useState({ name: user.name, role: user.role });
  const [sites, setSites] = useState<'all' | string[]>(user.sites);
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState(none);
  const [done, setDone] = useState<string | null>(null);
  const update = useMutation({
    mutationFn: (body: unknown) => api.patch<User>(`/api/v1/users/${user.id}`, body),
    onSuccess: (u) => {
      setSaved(u);
      void qc.invalidateQueries({ queryKey: ['users'] });
      setDone(`Saved. ${u.name} signs in again to get the new rights.`);
    },
    onError: (e) => setProblem(mapProblem(e, ['name', 'role', 'sites'])),
  });
  const reset = useMutation({
    mutationFn: (body: unknown) => api.post(`/api/v1/users/${user.id}/password`, body),
    onSuccess: () => {
      setPassword('');
      setDone(`New password set; ${user.name}'s sessions have ended.`);
    },
    onError: (e) => setProblem(mapProblem(e, ['password'])),
  });
  const save = (e: FormEvent) => {
    e.preventDefault();
    setProblem(none);
    setDone(null);
    const chosenSites = form.role === 'owner' ? 'all' : sites;
    const changed = {
      ...(form.name.trim() !== saved.name ? { name: form.name } : {}),
      ...(form.role !== saved.role ? { role: form.role } : {}),
      ...(JSON.stringify(chosenSites) !== JSON.stringify(saved.sites) ? { sites: chosenSites } : {}),
    };
    if (Object.keys(changed).length === 0) return setDone('Nothing to change.');
    update.mutate(changed);
  };
  const setNewPassword = (e: FormEvent) => {
    e.preventDefault();
    setProblem(none);
    setDone(null);
    reset.mutate({ password });
  };
  return (
    <div className="card form" aria-label={`Change ${user.name}`} role="region">
      <h2>Change {user.name}</h2>
      <FormErrors messages={problem.general} />
      {done && (
        <p className="banner banner-ok" role="status">
          {done}
        </p>
      )}
      <form onSubmit={save} noValidate>
        <div className="grid-3">
          <TextField label="Name" value={form.name} onValue={(v) => setForm((f) => ({ ...f, name: v }))} error={problem.byField.name} />
          <SelectField
            label="Role"
            value={form.role}
            onValue={(v) => setForm((f) => ({ ...f, role: v as Role }))}
            error={problem.byField.role}
            hint={ROLE_HINTS[form.role]}
            options={ROLE_OPTIONS.filter((r) => session.role === 'owner' || r.value === 'staff' || r.value === 'viewer')}
          />
        </div>
        {form.role !== 'owner' && <SitesPicker value={sites} onValue={setSites} error={problem.byField.sites} />}
        <button type="submit" className="primary" disabled={update.isPending}>
          Save changes
        </button>{' '}
        <button type="button" onClick={onDone}>
          Close
        </button>
      </form>
      <form onSubmit={setNewPassword} noValidate aria-label={`New password for ${user.name}`}>
        <TextField label="New password" type="password" autoComplete="new-password" value={password} onValue={setPassword} error={problem.byField.password} hint="At least 12 characters; ends their sessions" />
        <button type="submit" disabled={reset.isPending || password.length === 0}>
          Set password
        </button>
      </form>
    </div>
  );
}

export function TokensPage() {
  const session = useSignedIn();
  if (!session.can('tokens.manage')) return <NotAllowed title="API tokens" what="managing API tokens" />;
  return <ManageTokens />;
}

function ManageTokens() {
  const session = useSignedIn();
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => api.get<Page<ApiToken>>('/api/v1/tokens', { limit: 500, include_revoked: 'true' }) });
  const [form, setForm] = useState({ name: '', role: 'staff' as Role, days: '365' });
  const [sites, setSites] = useState<'all' | string[]>([]);
  const [problem, setProblem] = useState(none);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<ApiToken & { secret: string }>('/api/v1/tokens', body),
    onSuccess: (t) => {
      setSecret(t.secret);
      setForm({ name: '', role: 'staff', days: '365' });
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
    onError: (e) => setProblem(mapProblem(e, ['name', 'role', 'sites', 'expires_in_days'])),
  });
  const revoke = useMutation({ mutationFn: (id: string) => api.delete(`/api/v1/tokens/${id}`), onSuccess: () => void qc.invalidateQueries({ queryKey: ['tokens'] }) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblem(none);
    const days = form.days.trim();
    if (days && !/^\d+$/.test(days)) return setProblem({ byField: { expires_in_days: 'Whole days' }, general: [] });
    create.mutate({ name: form.name, role: form.role, sites: form.role === 'owner' ? 'all' : sites, ...(days ? { expires_in_days: Number(days) } : {}) });
  };
  return (
    <section>
      <PageHeader title="API tokens">
        <p className="subtitle">For scripts and integrations (a webshop, a label printer). A token never has more than the person who made it.</p>
      </PageHeader>
      {secret && (
        <div className="banner banner-ok" role="alert">
          <p>
            The new token is shown only now; copy it somewhere safe: <code className="secret">{secret}</code>
          </p>
          <button type="button" onClick={() => setSecret(null)}>
            I have copied it
          </button>
        </div>
      )}
      <ErrorBanner error={tokens.error ?? revoke.error} />
      <ListTable exportName="api-tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Starts with</th>
            <th scope="col">Role</th>
            <th scope="col">Made by</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(tokens.data?.data ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td className="mono">{t.secret_hint}…</td>
              <td>{t.role}</td>
              <td>{t.created_by_label}</td>
              <td>{formatDateTime(t.last_used_at)}</td>
              <td>{formatDateTime(t.expires_at)}</td>
              <td>
                <StatusBadge status={t.status} />
              </td>
              <td>
                {t.status === 'active' && (
                  <button type="button" className="link" onClick={() => confirm(`Revoke “${t.name}”? Anything using it stops at once.`) && revoke.mutate(t.id)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </ListTable>
      <form className="card form" onSubmit={submit} noValidate aria-label="Make a token">
        <h2>Make a token</h2>
        <FormErrors messages={problem.general} />
        <div className="grid-3">
          <TextField label="Name" value={form.name} onValue={(v) => setForm((f) => ({ ...f, name: v }))} error={problem.byField.name} hint="What it is for, e.g. webshop sync" />
          <SelectField
            label="Role"
            value={form.role}
            onValue={(v) => setForm((f) => ({ ...f, role: v as Role }))}
            error={problem.byField.role}
            hint={ROLE_HINTS[form.role]}
            options={ROLE_OPTIONS.filter((r) => session.role === 'owner' || r.value !== 'owner')}
          />
          <TextField label="Expires in (days)" inputMode="numeric" value={form.days} onValue={(v) => setForm((f) => ({ ...f, days: v }))} error={problem.byField.expires_in_days} />
        </div>
        {form.role !== 'owner' && <SitesPicker value={sites} onValue={setSites} error={problem.byField.sites} />}
        <button type="submit" className="primary" disabled={create.isPending}>
          Make token
        </button>
      </form>
    </section>
  );
}
