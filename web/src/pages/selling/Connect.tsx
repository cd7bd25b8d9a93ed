import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { Empty, ErrorBanner, FormErrors, PageHeader, SelectField, StatusBadge, TextField, formatDateTime } from '../../components/ui.tsx';

interface PlatformInfo {
  platform: string;
  fields: Array<{ name: string; label: string; secret: boolean }>;
}
interface Connection {
  id: string;
  channel_id: string;
  platform: string;
  status: string;
  shop_name: string | null;
  credentials: Record<string, string | boolean>;
  webhook_path: string;
  last_tested_at: string | null;
  last_test_error: string | null;
  resting_until: string | null;
}
interface Variant {
  variant_ref: string;
  title: string;
  sku: string | null;
  barcode: string | null;
  item_id: string | null;
  matched_by: string | null;
  pushed_qty: number | null;
  pushed_at: string | null;
  push_owed: boolean;
}
interface LogEntry {
  id: string;
  at: string;
  kind: string;
  ok: boolean;
  ref: string | null;
  detail: string;
}

const none: MappedProblem = { byField: {}, general: [] };
const base = '/api/v1/integrations/connections';

/** Channels → Connect: link a channel to its web shop, map the catalogue, and watch the sync log. */
export function ConnectPage() {
  const { id: channelId } = useParams();
  const connections = useQuery({ queryKey: ['connections'], queryFn: () => api.get<{ data: Connection[] }>(base) });
  const connection = connections.data?.data.find((c) => c.channel_id === channelId);
  return (
    <section>
      <PageHeader title="Connect a channel to its platform">
        <Link to={`/selling/channels/${channelId}`}>Channel stock</Link>
      </PageHeader>
      <ErrorBanner error={connections.error} />
      {connections.isLoading ? null : connection ? <Connected connection={connection} /> : <ConnectForm channelId={channelId!} />}
    </section>
  );
}

function ConnectForm({ channelId }: { channelId: string }) {
  const session = useSignedIn();
  const qc = useQueryClient();
  const platforms = useQuery({ queryKey: ['platforms'], queryFn: () => api.get<{ data: PlatformInfo[] }>('/api/v1/integrations/platforms') });
  const [platform, setPlatform] = useState('shopify');
  const [values, setValues] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState(none);
  const chosen = platforms.data?.data.find((p) => p.platform === platform);
  const connect = useMutation({
    mutationFn: () => api.post<Connection>(base, { channel_id: channelId, platform, credentials: values }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['connections'] }),
    onError: (e) => setProblem(mapProblem(e, (chosen?.fields ?? []).map((f) => `credentials.${f.name}`))),
  });
  if (!session.can('channels.write')) return <Empty>This channel is not connected to a platform.</Empty>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblem(none);
    connect.mutate();
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Connect">
      <h2>Connect</h2>
      <FormErrors messages={problem.general} />
      <SelectField label="Platform" value={platform} onValue={(v) => { setPlatform(v); setValues({}); }} options={(platforms.data?.data ?? []).map((p) => ({ value: p.platform, label: p.platform }))} />
      {(chosen?.fields ?? []).map((f) => (
        <TextField key={f.name} label={f.label} type={f.secret ? 'password' : 'text'} autoComplete="off" value={values[f.name] ?? ''} onValue={(v) => setValues((all) => ({ ...all, [f.name]: v }))} error={problem.byField[`credentials.${f.name}`]} />
      ))}
      <button type="submit" className="primary" disabled={connect.isPending}>
        Connect
      </button>
    </form>
  );
}

function Connected({ connection }: { connection: Connection }) {
  const session = useSignedIn();
  const qc = useQueryClient();
  const refresh = () => void qc.invalidateQueries({ queryKey: ['connections'] }).then(() => qc.invalidateQueries({ queryKey: ['connection', connection.id] }));
  const action = useMutation({ mutationFn: (path: string) => api.post<unknown>(`${base}/${connection.id}/${path}`, path === 'match' ? { by: ['sku'] } : path === 'reconcile' ? { repair: true } : {}), onSettled: refresh });
  const write = session.can('channels.write');
  return (
    <>
      <div className="card">
        <h2>
          {connection.platform} {connection.shop_name ? `— ${connection.shop_name}` : ''} <StatusBadge status={connection.status} />
        </h2>
        <p>
          Webhooks to <code>{connection.webhook_path}</code> on this server’s public address.
          {connection.last_test_error ? ` Last test failed: ${connection.last_test_error}` : connection.last_tested_at ? ` Tested ${formatDateTime(connection.last_tested_at)}.` : ' Not tested yet.'}
          {connection.resting_until ? ` Pushes resume ${formatDateTime(connection.resting_until)}.` : ''}
        </p>
        <ErrorBanner error={action.error} />
        {write ? (
          <div className="actions">
            <button type="button" onClick={() => action.mutate('test')} disabled={action.isPending}>Test connection</button>
            <button type="button" onClick={() => action.mutate('catalogue/refresh')} disabled={action.isPending}>Read catalogue</button>
            <button type="button" onClick={() => action.mutate('match')} disabled={action.isPending}>Match by SKU</button>
            <button type="button" onClick={() => action.mutate('reconcile')} disabled={action.isPending}>Reconcile and repair</button>
          </div>
        ) : null}
      </div>
      <Mapping connection={connection} write={write} />
      <SyncLog connection={connection} write={write} />
    </>
  );
}

function Mapping({ connection, write }: { connection: Connection; write: boolean }) {
  const qc = useQueryClient();
  const upstream = useQuery({ queryKey: ['connection', connection.id, 'unmapped'], queryFn: () => api.get<{ data: Variant[] }>(`${base}/${connection.id}/variants`, { mapped: 'false', limit: 100 }) });
  const items = useQuery({ queryKey: ['connection', connection.id, 'items'], queryFn: () => api.get<{ data: Array<{ id: string; sku: string; name: string }> }>(`${base}/${connection.id}/unmapped-items`, { limit: 100 }) });
  const [links, setLinks] = useState<Record<string, string>>({});
  const done = () => void qc.invalidateQueries({ queryKey: ['connection', connection.id] });
  const link = useMutation({ mutationFn: (v: Variant) => api.post(`${base}/${connection.id}/mappings`, { variant_ref: v.variant_ref, item_id: links[v.variant_ref] }), onSuccess: done });
  const importOne = useMutation({ mutationFn: (v: Variant) => api.post(`${base}/${connection.id}/import`, { variant_refs: [v.variant_ref] }), onSuccess: done });
  return (
    <div className="card">
      <h2>Catalogue mapping</h2>
      <ErrorBanner error={upstream.error ?? items.error ?? link.error ?? importOne.error} />
      <h3>Upstream, not mapped</h3>
      {(upstream.data?.data ?? []).length === 0 ? (
        <Empty>Every upstream variant read so far sells an item.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Upstream</th>
              <th scope="col">SKU</th>
              <th scope="col">Barcode</th>
              {write ? <th scope="col">Link</th> : null}
            </tr>
          </thead>
          <tbody>
            {upstream.data!.data.map((v) => (
              <tr key={v.variant_ref}>
                <td>{v.title}</td>
                <td>{v.sku ?? '—'}</td>
                <td>{v.barcode ?? '—'}</td>
                {write ? (
                  <td>
                    <select aria-label={`Item for ${v.title}`} value={links[v.variant_ref] ?? ''} onChange={(e) => setLinks((all) => ({ ...all, [v.variant_ref]: e.target.value }))}>
                      <option value="">choose an item…</option>
                      {(items.data?.data ?? []).map((i) => (
                        <option key={i.id} value={i.id}>
                          {i.sku} — {i.name}
                        </option>
                      ))}
                    </select>{' '}
                    <button type="button" disabled={!links[v.variant_ref]} onClick={() => link.mutate(v)}>Link</button>{' '}
                    <button type="button" disabled={!v.sku} onClick={() => importOne.mutate(v)}>Import as new item</button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Stockroom items this channel does not sell</h3>
      {(items.data?.data ?? []).length === 0 ? <Empty>None.</Empty> : <ul>{items.data!.data.map((i) => <li key={i.id}>{i.sku} — {i.name}</li>)}</ul>}
    </div>
  );
}

function SyncLog({ connection, write }: { connection: Connection; write: boolean }) {
  const qc = useQueryClient();
  const log = useQuery({ queryKey: ['connection', connection.id, 'log'], queryFn: () => api.get<{ data: LogEntry[] }>(`${base}/${connection.id}/sync-log`, { limit: 50 }) });
  const retry = useMutation({ mutationFn: () => api.post(`${base}/${connection.id}/retry`), onSuccess: () => void qc.invalidateQueries({ queryKey: ['connection', connection.id] }) });
  const entries = log.data?.data ?? [];
  const last = (kind: string) => entries.find((e) => e.kind === kind && e.ok);
  const errors = entries.filter((e) => !e.ok);
  return (
    <div className="card">
      <h2>Sync log</h2>
      <ErrorBanner error={log.error ?? retry.error} />
      <p>
        Last push: {last('push') ? formatDateTime(last('push')!.at) : 'none yet'}. Last order received: {last('order_applied') ? formatDateTime(last('order_applied')!.at) : 'none yet'}. Errors: {errors.length}.
      </p>
      {write && errors.some((e) => e.kind === 'order_failed') ? (
        <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>Retry failed orders</button>
      ) : null}
      {entries.length === 0 ? (
        <Empty>Nothing yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Result</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.at)}</td>
                <td>{e.kind.replace(/_/g, ' ')}</td>
                <td>{e.ok ? 'ok' : 'failed'}</td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
