import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client.ts';
import { CheckField, ErrorBanner, TextArea, TextField } from '../../../components/ui.tsx';

interface Merchant {
  connected: boolean;
  merchant_id: string | null;
  data_source: string | null;
  content_language: string;
  feed_label: string;
  client_email: string | null;
  last_push_at: string | null;
  push_not_before: string | null;
}

interface PushResult {
  status: string;
  products: number;
  local_inventories: number;
  failed: number;
  unchanged: number;
  removed: number;
}

/** The service-account connection: the key is sent once and stored encrypted; only its email comes back. */
export function MerchantCard({ owner }: { owner: boolean }) {
  const qc = useQueryClient();
  const merchant = useQuery({ queryKey: ['google-merchant'], queryFn: () => api.get<Merchant>('/api/v1/google/merchant') });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['google-merchant'] });
    void qc.invalidateQueries({ queryKey: ['google-push-log'] });
  };
  const [full, setFull] = useState(false);
  const [pushed, setPushed] = useState<PushResult | null>(null);
  const push = useMutation({ mutationFn: () => api.post<PushResult>('/api/v1/google/merchant/push', { full }), onSuccess: (r) => setPushed(r), onSettled: refresh });
  const disconnect = useMutation({ mutationFn: () => api.delete('/api/v1/google/merchant'), onSuccess: refresh });
  const m = merchant.data;
  return (
    <div className="card" data-testid="google-merchant">
      <h2>Merchant API</h2>
      <ErrorBanner error={merchant.error ?? push.error ?? disconnect.error} />
      {m && !m.connected && <p>Not connected: Merchant Center fetches the feeds on its own schedule.</p>}
      {m && m.connected && (
        <>
          <p>
            Account {m.merchant_id}, data source {m.data_source} ({m.content_language}, {m.feed_label}), as {m.client_email}. Last push: {m.last_push_at ?? 'never'}.
            {m.push_not_before && ` Resting until ${m.push_not_before} (Google asked to wait).`}
          </p>
          {pushed && (
            <p data-testid="google-push-result">
              {pushed.status}: {pushed.products} product(s), {pushed.local_inventories} local inventories sent, {pushed.removed} taken off Google, {pushed.unchanged} unchanged, {pushed.failed} failed.
            </p>
          )}
          {owner && (
            <>
              <CheckField label="Send everything, not only what changed" checked={full} onValue={setFull} />
              <button type="button" onClick={() => push.mutate()} disabled={push.isPending}>
                Push now
              </button>{' '}
              <button type="button" className="ghost" onClick={() => disconnect.mutate()} disabled={disconnect.isPending}>
                Disconnect
              </button>
            </>
          )}
        </>
      )}
      {owner && m && <ConnectForm current={m} onSaved={refresh} />}
    </div>
  );
}

function ConnectForm({ current, onSaved }: { current: Merchant; onSaved(): void }) {
  const [merchantId, setMerchantId] = useState(current.merchant_id ?? '');
  const [dataSource, setDataSource] = useState(current.data_source ?? '');
  const [language, setLanguage] = useState(current.content_language);
  const [feedLabel, setFeedLabel] = useState(current.feed_label);
  const [key, setKey] = useState('');
  const save = useMutation({
    mutationFn: () =>
      api.put('/api/v1/google/merchant', { merchant_id: merchantId, data_source: dataSource, content_language: language, feed_label: feedLabel, ...(key.trim() ? { service_account_key: key } : {}) }),
    onSuccess: () => {
      setKey('');
      onSaved();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h3>{current.connected ? 'Change the connection' : 'Connect with a service account'}</h3>
      <ErrorBanner error={save.error} />
      <div className="row">
        <TextField label="Merchant Center account id" value={merchantId} onValue={setMerchantId} inputMode="numeric" />
        <TextField label="API data source id" value={dataSource} onValue={setDataSource} inputMode="numeric" />
        <TextField label="Content language" value={language} onValue={setLanguage} />
        <TextField label="Feed label" value={feedLabel} onValue={setFeedLabel} />
      </div>
      <TextArea label={current.connected ? 'New service account key (JSON; leave empty to keep the stored one)' : 'Service account key (the JSON file, pasted)'} value={key} onValue={setKey} rows={4} />
      <button type="submit" disabled={save.isPending || !merchantId || !dataSource || (!current.connected && !key.trim())}>
        Save
      </button>
    </form>
  );
}
