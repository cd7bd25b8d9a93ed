import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { WebhookSubscription } from '../../api/types.ts';
import { CheckField, Empty, ErrorBanner, formatDateTime, PageHeader, TextField } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

/** Webhook subscriptions: make one, see its secret once, test it, rotate its secret, switch it off, delete it. */
export function WebhooksPage() {
  const list = useQuery({ queryKey: ['webhooks'], queryFn: () => api.get<{ data: WebhookSubscription[] }>('/api/v1/webhook-subscriptions') });
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  return (
    <section>
      <PageHeader title="Webhooks">
        <p>Stockroom signs every call the Standard Webhooks way. A secret is shown once, when the subscription is made or its secret rotated.</p>
      </PageHeader>
      {secret && <SecretNotice {...secret} onDone={() => setSecret(null)} />}
      <NewSubscription onMade={setSecret} />
      <ErrorBanner error={list.error} />
      {list.data && list.data.data.length === 0 ? <Empty>No webhook subscriptions yet.</Empty> : null}
      {list.data && list.data.data.length > 0 && (
        <ListTable exportName="webhooks" data-testid="webhooks-table">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.data.map((s) => (
              <SubscriptionRow key={s.id} subscription={s} onSecret={setSecret} />
            ))}
          </tbody>
        </ListTable>
      )}
    </section>
  );
}

function SecretNotice({ id, secret, onDone }: { id: string; secret: string; onDone(): void }) {
  return (
    <div className="notice" role="status" data-testid="webhook-secret">
      <p>
        The signing secret of <span className="mono">{id}</span> — copy it now, it is not shown again:
      </p>
      <p className="mono">{secret}</p>
      <button type="button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}

function NewSubscription({ onMade }: { onMade(s: { id: string; secret: string }): void }) {
  const qc = useQueryClient();
  const types = useQuery({ queryKey: ['webhook-event-types'], queryFn: () => api.get<{ data: Array<{ type: string; description: string }> }>('/api/v1/webhook-event-types') });
  const [url, setUrl] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const make = useMutation({
    mutationFn: () => api.post<WebhookSubscription>('/api/v1/webhook-subscriptions', { url: url.trim(), event_types: chosen }),
    onSuccess: (made) => {
      onMade({ id: made.id, secret: made.secret ?? '' });
      setUrl('');
      setChosen([]);
      void qc.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
  const selectable = (types.data?.data ?? []).filter((t) => t.type !== 'webhook.test');
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        make.mutate();
      }}
    >
      <h2>New subscription</h2>
      <ErrorBanner error={make.error} />
      <TextField label="URL" value={url} onValue={setUrl} placeholder="https://example.com/hooks/stockroom" required />
      <fieldset>
        <legend>Events</legend>
        {selectable.map((t) => (
          <CheckField key={t.type} label={t.type} hint={t.description} checked={chosen.includes(t.type)} onValue={(on) => setChosen(on ? [...chosen, t.type] : chosen.filter((c) => c !== t.type))} />
        ))}
      </fieldset>
      <button type="submit" className="primary" disabled={make.isPending || chosen.length === 0 || url.trim() === ''}>
        Subscribe
      </button>
    </form>
  );
}

function SubscriptionRow({ subscription: s, onSecret }: { subscription: WebhookSubscription; onSecret(s: { id: string; secret: string }): void }) {
  const qc = useQueryClient();
  const [note, setNote] = useState<string | null>(null);
  const done = () => void qc.invalidateQueries({ queryKey: ['webhooks'] });
  const test = useMutation({ mutationFn: () => api.post<{ delivery_id: string }>(`/api/v1/webhook-subscriptions/${s.id}/test`), onSuccess: (r) => setNote(`Test queued: ${r.delivery_id}`) });
  const rotate = useMutation({ mutationFn: () => api.post<WebhookSubscription>(`/api/v1/webhook-subscriptions/${s.id}/rotate-secret`), onSuccess: (r) => (onSecret({ id: r.id, secret: r.secret ?? '' }), done()) });
  const toggle = useMutation({ mutationFn: () => api.patch(`/api/v1/webhook-subscriptions/${s.id}`, { active: !s.active }), onSuccess: done });
  const remove = useMutation({ mutationFn: () => api.delete(`/api/v1/webhook-subscriptions/${s.id}`), onSuccess: done });
  return (
    <tr>
      <td className="mono">
        {s.url}
        {s.description && <div className="muted">{s.description}</div>}
        <ErrorBanner error={test.error ?? rotate.error ?? toggle.error ?? remove.error} />
        {note && <div className="muted">{note}</div>}
      </td>
      <td>{s.event_types.join(', ')}</td>
      <td>
        {s.active ? 'active' : 'off'}
        {s.rotating_until && <div className="muted">old secret signs until {formatDateTime(s.rotating_until)}</div>}
      </td>
      <td>{formatDateTime(s.created_at)}</td>
      <td className="actions">
        <button type="button" onClick={() => test.mutate()} disabled={!s.active}>
          Send test
        </button>
        <button type="button" onClick={() => rotate.mutate()}>
          Rotate secret
        </button>
        <button type="button" onClick={() => toggle.mutate()}>
          {s.active ? 'Switch off' : 'Switch on'}
        </button>
        <button type="button" className="danger" onClick={() => window.confirm(`Delete the subscription to ${s.url}?`) && remove.mutate()}>
          Delete
        </button>
      </td>
    </tr>
  );
}
