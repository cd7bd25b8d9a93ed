import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { describeError } from '../../api/problem.ts';
import type { Page } from '../../api/types.ts';
import { useSite } from '../../auth/session.tsx';
import { ScanBox, type ScanOutcome } from '../../components/ScanBox.tsx';
import { Empty, ErrorBanner, StatusBadge } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { useTransfer, type Transfer } from './types.ts';

/**
 * Scanner mode for transfers, one-handed on a phone: pick a transfer at the source by scanning
 * each unit (each beep is a pick recorded on the server), ship it with one big button, and at the
 * destination scan what arrived, switching to "damaged" for a broken one, then post the receipt.
 * Whatever was not scanned is flagged short by the server.
 */
export function ScannerTransfers() {
  return (
    <Routes>
      <Route index element={<TransferQueue />} />
      <Route path=":id/pick" element={<PickTransfer />} />
      <Route path=":id/receive" element={<ReceiveByScan />} />
    </Routes>
  );
}

function TransferQueue() {
  const { siteId } = useSite();
  const list = (direction: 'outbound' | 'inbound', statuses: string[]) =>
    Promise.all(statuses.map((status) => api.get<Page<Transfer>>('/api/v1/transfers', { site_id: siteId ?? undefined, direction: siteId ? direction : undefined, status, limit: 50 }))).then((pages) =>
      pages.flatMap((p) => p.data),
    );
  const toPick = useQuery({ queryKey: ['transfers', 'scanner', 'pick', siteId], queryFn: () => list('outbound', ['draft', 'picked']) });
  const toReceive = useQuery({ queryKey: ['transfers', 'scanner', 'receive', siteId], queryFn: () => list('inbound', ['in_transit']) });
  return (
    <>
      <h2>Transfers</h2>
      <ErrorBanner error={toPick.error ?? toReceive.error} />
      <h3>To pick and ship</h3>
      {(toPick.data ?? []).length === 0 ? (
        <Empty>Nothing to pick here.</Empty>
      ) : (
        <ul className="big-list" data-testid="scanner-transfers-pick">
          {toPick.data!.map((t) => (
            <li key={t.id}>
              <Link to={`/scanner/transfers/${t.id}/pick`}>
                {t.number} → {t.destination_site.name} <StatusBadge status={t.status} />
              </Link>
            </li>
          ))}
        </ul>
      )}
      <h3>Arriving</h3>
      {(toReceive.data ?? []).length === 0 ? (
        <Empty>Nothing on its way here.</Empty>
      ) : (
        <ul className="big-list" data-testid="scanner-transfers-receive">
          {toReceive.data!.map((t) => (
            <li key={t.id}>
              <Link to={`/scanner/transfers/${t.id}/receive`}>
                {t.number} from {t.source_site.name}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function PickTransfer() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const transfer = useTransfer(id);
  const ship = useMutation({
    mutationFn: () => api.post<Transfer>(`/api/v1/transfers/${id}/ship`, {}, { idempotencyKey: newIdempotencyKey('ship') }),
    onSuccess: (t) => {
      qc.setQueryData(['transfer', id], t);
      void qc.invalidateQueries({ queryKey: ['transfers'] });
    },
  });
  const onScan = async (code: string): Promise<ScanOutcome> => {
    try {
      const result = await api.post<{ transfer: Transfer; picked: { sku: string; bin: string; qty: number } }>(`/api/v1/transfers/${id}/picks`, { code });
      qc.setQueryData(['transfer', id], result.transfer);
      return { ok: true, message: `${result.picked.sku} from ${result.picked.bin}` };
    } catch (error) {
      return { ok: false, message: describeError(error) };
    }
  };
  const t = transfer.data;
  if (!t) return <ErrorBanner error={transfer.error} />;
  const picked = t.lines.reduce((s, l) => s + l.qty_picked - Math.min(l.qty_picked, l.qty_shipped), 0);
  const shippable = ['draft', 'picked', 'in_transit'].includes(t.status) && picked > 0;
  return (
    <>
      <h2>
        Pick {t.number} <StatusBadge status={t.status} />
      </h2>
      <p className="muted">To {t.destination_site.name}</p>
      {/* Kept after everything is picked: an extra unit scanned then gets a clear "nothing left to pick" buzz, not silence. */}
      {['draft', 'picked', 'in_transit'].includes(t.status) && <ScanBox onScan={onScan} compact label="Scan each unit you pick" />}
      <div className="card" aria-live="polite">
        <ul className="plain" data-testid="pick-progress">
          {t.lines.map((l) => (
            <li key={l.id}>
              <strong>{l.sku}</strong> {formatQty(l.qty_picked)} / {formatQty(l.qty_allocated)} picked
              {t.allocations
                .filter((a) => a.line_id === l.id && a.qty_picked < a.qty)
                .map((a) => (
                  <div key={a.id} className="muted">
                    {a.bin}
                    {a.lot_code ? ` · ${a.lot_code}` : ''}: {formatQty(a.qty - a.qty_picked)} left
                  </div>
                ))}
            </li>
          ))}
        </ul>
      </div>
      <ErrorBanner error={ship.error} />
      {shippable && (
        <button type="button" className="primary block" onClick={() => ship.mutate()} disabled={ship.isPending}>
          {ship.isPending ? 'Shipping…' : `Ship ${formatQty(picked)} picked`}
        </button>
      )}
      {t.status === 'in_transit' && !shippable && (
        <p className="banner banner-ok" role="status">
          Shipped: on its way to {t.destination_site.name}.
        </p>
      )}
    </>
  );
}

interface Tally {
  good: number;
  damaged: number;
}

function ReceiveByScan() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const transfer = useTransfer(id);
  const [tally, setTally] = useState<Record<string, Tally>>({});
  const [damagedMode, setDamagedMode] = useState(false);
  const [key] = useState(() => newIdempotencyKey('trr'));
  const post = useMutation({
    mutationFn: (t: Transfer) =>
      api.post<Transfer>(
        `/api/v1/transfers/${id}/receive`,
        { lines: t.lines.filter((l) => l.qty_in_transit > 0).map((l) => ({ line_id: l.id, qty: tally[l.id]?.good ?? 0, damaged_qty: tally[l.id]?.damaged ?? 0 })) },
        { idempotencyKey: key },
      ),
    onSuccess: (t) => {
      qc.setQueryData(['transfer', id], t);
      setTally({});
      void qc.invalidateQueries({ queryKey: ['transfers'] });
    },
  });
  const t = transfer.data;
  const onScan = async (code: string): Promise<ScanOutcome> => {
    const resolved = await api.post<{ item: { id: string; sku: string } | null; count: number | null }>('/api/v1/scan/resolve', { code });
    const line = t?.lines.find((l) => l.item_id === resolved.item?.id && l.qty_in_transit > 0);
    if (!resolved.item) return { ok: false, message: 'no item has this code' };
    if (!line) return { ok: false, message: `${resolved.item.sku} is not on this transfer` };
    const units = resolved.count ?? 1;
    setTally((all) => {
      const current = all[line.id] ?? { good: 0, damaged: 0 };
      return { ...all, [line.id]: damagedMode ? { ...current, damaged: current.damaged + units } : { ...current, good: current.good + units } };
    });
    return { ok: true, message: `${line.sku}${damagedMode ? ' (damaged)' : ''}` };
  };
  if (!t) return <ErrorBanner error={transfer.error} />;
  return (
    <>
      <h2>
        Receive {t.number} <StatusBadge status={t.status} />
      </h2>
      <p className="muted">From {t.source_site.name}</p>
      {t.status === 'in_transit' && (
        <>
          <ScanBox onScan={onScan} compact label={damagedMode ? 'Scan each damaged unit' : 'Scan each unit that arrived'} />
          <button type="button" className={damagedMode ? 'danger block' : 'block'} aria-pressed={damagedMode} onClick={() => setDamagedMode((d) => !d)}>
            {damagedMode ? 'Scanning damaged units — tap for good ones' : 'Next scans are damaged'}
          </button>
        </>
      )}
      <div className="card" aria-live="polite">
        <ul className="plain" data-testid="receive-progress">
          {t.lines.map((l) => {
            const counted = tally[l.id] ?? { good: 0, damaged: 0 };
            const missing = l.qty_in_transit - counted.good - counted.damaged;
            if (t.status !== 'in_transit') {
              return (
                <li key={l.id}>
                  <strong>{l.sku}</strong> {formatQty(l.qty_received)} received{l.qty_damaged > 0 ? `, ${formatQty(l.qty_damaged)} damaged` : ''} of {formatQty(l.qty_shipped)} shipped
                </li>
              );
            }
            return (
              <li key={l.id}>
                <strong>{l.sku}</strong> {formatQty(counted.good)} good
                {counted.damaged > 0 ? `, ${formatQty(counted.damaged)} damaged` : ''} of {formatQty(l.qty_in_transit)} in transit
                {t.status === 'in_transit' && missing > 0 && <span className="badge badge-short"> short {formatQty(missing)}</span>}
                {t.status === 'in_transit' && missing < 0 && <span className="badge badge-over"> over {formatQty(-missing)}</span>}
              </li>
            );
          })}
        </ul>
        {t.discrepancies.length > 0 && (
          <ul className="plain" data-testid="receive-flags">
            {t.discrepancies.map((d) => (
              <li key={d.id}>
                <span className={`badge badge-${d.kind}`}>{d.kind}</span> {d.detail}
              </li>
            ))}
          </ul>
        )}
      </div>
      <ErrorBanner error={post.error} />
      {t.status === 'in_transit' && (
        <button type="button" className="primary block" onClick={() => post.mutate(t)} disabled={post.isPending || Object.keys(tally).length === 0}>
          {post.isPending ? 'Posting…' : 'Post receipt'}
        </button>
      )}
      {t.status === 'received' && (
        <p className="banner banner-ok" role="status">
          Received in full.
        </p>
      )}
    </>
  );
}
