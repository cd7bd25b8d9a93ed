import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, withQuery } from '../../api/client.ts';
import { ErrorBanner, PageHeader, TextField } from '../../components/ui.tsx';
import { AccountMappingCard } from './AccountMapping.tsx';
import { SyncLog } from './SyncLog.tsx';

interface Connection {
  configured: boolean;
  connected: boolean;
  realm_id: string | null;
  sync_from: string | null;
  sync_sales: boolean;
  last_sync_at: string | null;
  postings: { pending: number; failed: number; posted: number };
}

const stateKey = 'stockroom.qbo.state';
const isoDay = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Accounting: download the stock journal, map accounts, connect QuickBooks Online and watch its sync log. */
export function AccountingPage() {
  return (
    <section>
      <PageHeader title="Accounting">
        <p>The stock journal books each day's change in stock value per site, balanced to the cent. See docs/accounting.md.</p>
      </PageHeader>
      <Downloads />
      <QuickbooksCard />
      <AccountMappingCard />
      <SyncLog />
    </section>
  );
}

function Downloads() {
  const [from, setFrom] = useState(isoDay(-30));
  const [to, setTo] = useState(isoDay(-1));
  const [sales, setSales] = useState(false);
  const query = (format: string) => ({ from, to, format, ...(sales ? { sales: 'true' } : {}) });
  return (
    <div className="card">
      <h2>Download the journal</h2>
      <div className="row">
        <TextField label="From" type="date" value={from} onValue={setFrom} />
        <TextField label="To" type="date" value={to} onValue={setTo} />
      </div>
      <label>
        <input type="checkbox" checked={sales} onChange={(e) => setSales(e.target.checked)} /> With sales (revenue, discounts, tax)
      </label>
      <p>
        <a className="button ghost" href={withQuery('/api/v1/accounting/journal/export', query('csv'))} download>
          CSV journal
        </a>{' '}
        <a className="button ghost" href={withQuery('/api/v1/accounting/journal/export', query('iif'))} download>
          IIF for QuickBooks Desktop
        </a>
      </p>
    </div>
  );
}

function QuickbooksCard() {
  const qc = useQueryClient();
  const conn = useQuery({ queryKey: ['qbo-connection'], queryFn: () => api.get<Connection>('/api/v1/quickbooks/connection') });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['qbo-connection'] });
  const sync = useMutation({ mutationFn: () => api.post('/api/v1/quickbooks/sync'), onSettled: () => { refresh(); void qc.invalidateQueries({ queryKey: ['qbo-postings'] }); } });
  const disconnect = useMutation({ mutationFn: () => api.delete('/api/v1/quickbooks/connection'), onSuccess: refresh });
  const options = useMutation({ mutationFn: (syncSales: boolean) => api.patch('/api/v1/quickbooks/connection', { sync_sales: syncSales }), onSuccess: refresh });
  const c = conn.data;
  return (
    <div className="card" data-testid="quickbooks">
      <h2>QuickBooks Online</h2>
      <ErrorBanner error={conn.error ?? sync.error ?? disconnect.error ?? options.error} />
      {c && !c.configured && <p>Set STOCKROOM_QBO_CLIENT_ID and STOCKROOM_QBO_CLIENT_SECRET on the server to connect.</p>}
      {c && c.configured && !c.connected && <Connect onConnected={refresh} />}
      {c && c.connected && (
        <>
          <p>
            Company {c.realm_id}, booking from {c.sync_from}. Last sync: {c.last_sync_at ?? 'never'}. Postings: {c.postings.posted} posted, {c.postings.pending} pending, {c.postings.failed} failed.
          </p>
          <p>
            <label>
              <input type="checkbox" checked={c.sync_sales} disabled={options.isPending} onChange={(e) => options.mutate(e.target.checked)} /> Also book sales (revenue, discounts, tax, undeposited funds) from the next day booked
            </label>
          </p>
          <button type="button" onClick={() => sync.mutate()} disabled={sync.isPending}>
            Sync now
          </button>{' '}
          <button type="button" className="ghost" onClick={() => disconnect.mutate()} disabled={disconnect.isPending}>
            Disconnect
          </button>
        </>
      )}
    </div>
  );
}

/** Intuit sends the owner back here with `code`, `realmId` and the `state` this page made. */
function Connect({ onConnected }: { onConnected(): void }) {
  const [params, setParams] = useSearchParams();
  const [syncFrom, setSyncFrom] = useState(isoDay(0));
  const start = useMutation({
    mutationFn: async () => {
      const state = crypto.randomUUID().replaceAll('-', '');
      sessionStorage.setItem(stateKey, state);
      const { url } = await api.get<{ url: string }>('/api/v1/quickbooks/authorize-url', { state });
      window.location.assign(url);
    },
  });
  const finish = useMutation({
    mutationFn: (input: { code: string; realm_id: string }) => api.post('/api/v1/quickbooks/connection', { ...input, sync_from: syncFrom }),
    onSuccess: () => {
      setParams({});
      onConnected();
    },
  });
  const code = params.get('code');
  const realmId = params.get('realmId');
  const stateOk = params.get('state') !== null && params.get('state') === sessionStorage.getItem(stateKey);
  useEffect(() => {
    if (code && realmId && stateOk && finish.isIdle) finish.mutate({ code, realm_id: realmId });
  }, [code, realmId, stateOk, finish]);
  return (
    <>
      <ErrorBanner error={start.error ?? finish.error} />
      {code && !stateOk && <p>The answer from Intuit does not match the request this browser made; start again.</p>}
      <TextField label="Book from (first day)" type="date" value={syncFrom} onValue={setSyncFrom} hint="Earlier days are the opening balance your accountant enters." />
      <button type="button" onClick={() => start.mutate()} disabled={start.isPending || finish.isPending}>
        Connect QuickBooks
      </button>
    </>
  );
}
