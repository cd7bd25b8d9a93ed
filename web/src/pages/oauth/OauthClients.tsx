import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Page } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ErrorBanner, formatDateTime, FormErrors, PageHeader, TextField } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

/** An app people may link to their account (the Alexa skill), registered by an owner. */
interface OauthClient {
  id: string;
  name: string;
  secret_hint: string;
  redirect_uris: string[];
  scopes: string[];
  created_at: string;
}

const none: MappedProblem = { byField: {}, general: [] };

/** Owners register the Alexa skill here and copy its client id and secret into the Alexa console (docs/voice.md). */
export function OauthClientsPage() {
  const session = useSignedIn();
  if (!session.can('settings.write')) {
    return (
      <section>
        <PageHeader title="Account linking" />
        <p className="banner" role="status">
          Only an owner registers apps for account linking.
        </p>
      </section>
    );
  }
  return <ManageClients />;
}

function ManageClients() {
  const qc = useQueryClient();
  const clients = useQuery({ queryKey: ['oauth-clients'], queryFn: () => api.get<Page<OauthClient>>('/api/v1/oauth/clients') });
  const [name, setName] = useState('Alexa');
  const [uris, setUris] = useState('');
  const [problem, setProblem] = useState(none);
  const [made, setMade] = useState<{ id: string; secret: string } | null>(null);
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<OauthClient & { client_secret: string }>('/api/v1/oauth/clients', body),
    onSuccess: (c) => {
      setMade({ id: c.id, secret: c.client_secret });
      setUris('');
      void qc.invalidateQueries({ queryKey: ['oauth-clients'] });
    },
    onError: (e) => setProblem(mapProblem(e, ['name', 'redirect_uris'])),
  });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/api/v1/oauth/clients/${id}`), onSuccess: () => void qc.invalidateQueries({ queryKey: ['oauth-clients'] }) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblem(none);
    const list = uris.split(/\s+/).filter(Boolean);
    create.mutate({ name, redirect_uris: list, scopes: ['voice'] });
  };
  return (
    <section>
      <PageHeader title="Account linking">
        <p className="subtitle">Apps people may link to their Stockroom account, such as the Alexa skill. Removing one unlinks everybody who linked it.</p>
      </PageHeader>
      {made && (
        <div className="banner banner-ok" role="alert">
          <p>
            Client id: <code>{made.id}</code>. Client secret, shown only now: <code className="secret">{made.secret}</code>
          </p>
          <button type="button" onClick={() => setMade(null)}>
            I have copied it
          </button>
        </div>
      )}
      <ErrorBanner error={clients.error ?? remove.error} />
      <ListTable exportName="oauth-clients">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Client id</th>
            <th scope="col">Redirect URLs</th>
            <th scope="col">Registered</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(clients.data?.data ?? []).map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>
                <code>{c.id}</code>
              </td>
              <td>{c.redirect_uris.join(' ')}</td>
              <td>{formatDateTime(c.created_at)}</td>
              <td>
                <button type="button" className="link" onClick={() => remove.mutate(c.id)} aria-label={`Remove ${c.name}`}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </ListTable>
      <form className="card form" onSubmit={submit} noValidate aria-label="Register an app">
        <h2>Register an app</h2>
        <FormErrors messages={problem.general} />
        <TextField label="Name" value={name} onValue={setName} error={problem.byField.name} />
        <TextField
          label="Redirect URLs"
          value={uris}
          onValue={setUris}
          error={problem.byField.redirect_uris}
          hint="The Alexa console's Alexa Redirect URLs, separated by spaces (https://layla.amazon.com/api/skill/link/…)"
        />
        <button type="submit" className="primary" disabled={create.isPending}>
          Register
        </button>
      </form>
    </section>
  );
}
