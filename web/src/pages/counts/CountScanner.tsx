import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { useLocations, useSite } from '../../auth/session.tsx';
import { ScanBox, type ScanOutcome } from '../../components/ScanBox.tsx';
import { Empty, ErrorBanner, SelectField, StatusBadge } from '../../components/ui.tsx';
import { cachedGet } from '../../offline/cache.ts';
import { useOffline } from '../../offline/OfflineProvider.tsx';
import { isUnreachable } from '../../offline/send.ts';
import type { Count, CountSummary, ScanResult } from './types.ts';

/**
 * Scanner mode's count flow, for one hand on a phone: pick the count, pick the bin, then beep
 * every unit (or a case with "×" set to the case). Each beep adds to the bin's line on the
 * server, so two people scanning the same shelf both count. A blind count never shows what the
 * records expect. Unknown codes are held for a manager. Offline, each beep is kept on the phone
 * with the instant it was made and sent in order later; the line counts it at that instant.
 */
export function CountScanner() {
  return (
    <Routes>
      <Route index element={<PickCount />} />
      <Route path=":id" element={<ScanBin />} />
    </Routes>
  );
}

function PickCount() {
  const { siteId } = useSite();
  const counts = useQuery({ queryKey: ['counts', 'counting', siteId], queryFn: () => cachedGet<Page<CountSummary>>('/api/v1/counts', { site_id: siteId ?? undefined, status: 'counting', limit: 50 }) });
  return (
    <>
      <h2>Count a bin</h2>
      <ErrorBanner error={counts.error} />
      {counts.data?.data.length === 0 && <Empty>No count is open here. A manager starts one under Stock → Counts.</Empty>}
      <ul className="plain big-list" data-testid="open-counts">
        {counts.data?.data.map((c) => (
          <li key={c.id}>
            <Link className="button block" to={`/scanner/count/${c.id}`}>
              {c.number} · {c.summary.counted} of {c.summary.lines} counted
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

function ScanBin() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const { all } = useLocations();
  const count = useQuery({ queryKey: ['count', id], queryFn: () => cachedGet<Count>(`/api/v1/counts/${id}`) });
  const offline = useOffline();
  const [binId, setBinId] = useState<string>('');
  const [each, setEach] = useState('1');
  // A wedge scanner types into whatever has focus; a focused list would take the digits as a
  // choice and switch the bin. Once chosen, focus leaves the list so the next beep is a scan.
  const choose = (set: (v: string) => void) => (value: string) => {
    set(value);
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  };
  const submit = useMutation({
    mutationFn: () => api.post<Count>(`/api/v1/counts/${id}/submit`, { uncounted: 'skip' }, { idempotencyKey: newIdempotencyKey('count') }),
    onSuccess: (c) => client.setQueryData(['count', id], c),
  });
  const c = count.data;
  if (!c) return <ErrorBanner error={count.error} />;
  const bins = all.filter((l) => l.kind === 'bin' && l.site_id === c.site_id);
  const bin = binId || bins[0]?.id || '';
  const linesHere = c.lines.filter((l) => l.location_id === bin && l.status !== 'superseded');

  const onScan = async (code: string): Promise<ScanOutcome> => {
    const qty = Number(each);
    const body = { location_id: bin, code, ...(qty > 1 ? { qty } : {}) };
    const key = newIdempotencyKey('scan');
    const keep = async (): Promise<ScanOutcome> => {
      const occurredAt = new Date().toISOString();
      await offline.enqueue({ kind: 'count', method: 'POST', path: `/api/v1/counts/${id}/scans`, body: { ...body, occurred_at: occurredAt }, idempotencyKey: key, occurredAt, summary: `Count ${c.number}: ${code} × ${qty}` });
      return { ok: true, message: `${code}: kept on this phone until the server is back` };
    };
    if (!offline.online) return keep();
    let result: ScanResult;
    try {
      result = await api.post<ScanResult>(`/api/v1/counts/${id}/scans`, body, { idempotencyKey: key });
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      offline.markOffline();
      return keep();
    }
    await client.invalidateQueries({ queryKey: ['count', id] });
    if (result.result === 'held') return { ok: false, message: 'unknown code: held for a manager' };
    return { ok: true, message: `${result.line!.item_name}: ${result.line!.counted_qty}` };
  };

  if (c.status !== 'counting') {
    return (
      <div className="card">
        <h2>{c.number}</h2>
        <p>
          <StatusBadge status={c.status} /> Thank you: this count is {c.status}.
        </p>
        <Link to="/scanner/count">Back to counts</Link>
      </div>
    );
  }
  return (
    <>
      <h2>
        {c.number} <span className="muted">{c.mode}</span>
      </h2>
      <SelectField label="Bin" value={bin} onValue={choose(setBinId)} options={bins.map((b) => ({ value: b.id, label: `${b.full_code} ${b.name}` }))} />
      <SelectField
        label="Each beep counts"
        value={each}
        onValue={choose(setEach)}
        options={[
          { value: '1', label: '1 unit' },
          { value: '6', label: '6 units' },
          { value: '12', label: '12 units (a case of 12)' },
          { value: '24', label: '24 units' },
        ]}
      />
      <ScanBox onScan={onScan} compact label="Scan each item in this bin" />
      <ul className="plain big-list" data-testid="bin-lines">
        {linesHere.map((l) => (
          <li key={l.id}>
            <strong>{l.counted_qty ?? '—'}</strong> {l.item_name} {l.lot_code && <span className="mono">{l.lot_code}</span>}
            {c.expected_visible && l.expected_qty != null && <span className="muted"> (expected {l.expected_qty})</span>}
          </li>
        ))}
      </ul>
      <ErrorBanner error={submit.error} />
      <button type="button" className="button primary block" disabled={submit.isPending} onClick={() => submit.mutate()}>
        Finish and submit the count
      </button>
    </>
  );
}
