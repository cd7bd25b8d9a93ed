import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ErrorBanner, formatDateTime, Money, PageHeader, StatusBadge } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { grantedSide, useTransfer, type Transfer } from './types.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** One transfer: what was asked, picked, shipped and received per line, what is flagged, and the actions the person's side allows. */
export function TransferPage() {
  const { id = '' } = useParams();
  const transfer = useTransfer(id);
  const t = transfer.data;
  if (!t) return <ErrorBanner error={transfer.error} />;
  return (
    <section>
      <PageHeader title={`Transfer ${t.number}`} actions={<TransferActions transfer={t} />}>
        <p>
          <StatusBadge status={t.status} /> {t.source_site.name} → {t.destination_site.name} (into {t.destination_bin.code})
        </p>
        {t.note && <p className="muted">{t.note}</p>}
      </PageHeader>
      <TransferLines transfer={t} />
      <Discrepancies transfer={t} />
      <h2>History</h2>
      <ul className="plain">
        <li>Created {formatDateTime(t.created_at)}</li>
        {t.postings.map((p) => (
          <li key={p.id}>
            {p.kind === 'shipment' ? 'Shipped' : p.kind === 'receipt' ? 'Received' : 'Closed'} {formatDateTime(p.effective_at)}
            {p.note ? ` — ${p.note}` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}

function TransferLines({ transfer: t }: { transfer: Transfer }) {
  const { seesCosts } = useSignedIn();
  return (
    <ListTable exportName="transfer-lines" data-testid="transfer-lines">
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col" className="num">Asked</th>
          <th scope="col" className="num">Picked</th>
          <th scope="col" className="num">Shipped</th>
          <th scope="col" className="num">Received</th>
          <th scope="col" className="num">Damaged</th>
          <th scope="col" className="num">Lost</th>
          <th scope="col" className="num">In transit</th>
          {seesCosts && <th scope="col" className="num">Value shipped</th>}
        </tr>
      </thead>
      <tbody>
        {t.lines.map((l) => (
          <tr key={l.id} className={l.qty_damaged + l.qty_lost + l.qty_over > 0 ? 'highlight' : undefined}>
            <td>
              <Link to={`/items/${l.item_id}`}>{l.name}</Link> <span className="muted mono">{l.sku}</span>
              {t.allocations
                .filter((a) => a.line_id === l.id)
                .map((a) => (
                  <div key={a.id} className="muted">
                    {a.bin}
                    {a.lot_code ? ` · ${a.lot_code}` : ''}
                    {a.expires_on ? ` (exp. ${a.expires_on})` : ''}: {formatQty(a.qty)}
                  </div>
                ))}
            </td>
            <td className="num">{formatQty(l.qty_requested)}</td>
            <td className="num">{formatQty(l.qty_picked)}</td>
            <td className="num">{formatQty(l.qty_shipped)}</td>
            <td className="num">{formatQty(l.qty_received)}</td>
            <td className="num">{formatQty(l.qty_damaged)}</td>
            <td className="num">{formatQty(l.qty_lost)}</td>
            <td className="num">{formatQty(l.qty_in_transit)}</td>
            {seesCosts && (
              <td className="num">
                <Money value={l.value_shipped} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </ListTable>
  );
}

function Discrepancies({ transfer: t }: { transfer: Transfer }) {
  if (t.discrepancies.length === 0) return null;
  return (
    <>
      <h2>Flagged on receiving</h2>
      <ul className="plain" data-testid="transfer-discrepancies">
        {t.discrepancies.map((d) => (
          <li key={d.id}>
            <span className={`badge badge-${d.kind}`}>{d.kind}</span> {d.detail}
          </li>
        ))}
      </ul>
    </>
  );
}

function TransferActions({ transfer: t }: { transfer: Transfer }) {
  const session = useSignedIn();
  const qc = useQueryClient();
  const act = useMutation({
    mutationFn: (action: 'accept' | 'ship' | 'close' | 'cancel') => api.post<Transfer>(`/api/v1/transfers/${t.id}/${action}`, {}, { idempotencyKey: newIdempotencyKey(action) }),
    onSuccess: (next) => {
      qc.setQueryData(['transfer', t.id], next);
      void qc.invalidateQueries({ queryKey: ['transfers'] });
    },
  });
  const source = session.can('transfers.write') && grantedSide(session.sites, t.source_site.id);
  const destination = session.can('transfers.write') && grantedSide(session.sites, t.destination_site.id);
  const unshipped = t.lines.some((l) => l.qty_shipped < l.qty_allocated);
  return (
    <>
      <ErrorBanner error={act.error} />
      <a className="button" href={`/api/v1/transfers/${t.id}/packing-slip`}>
        Packing slip
      </a>
      {source && t.status === 'requested' && (
        <button type="button" className="primary" onClick={() => act.mutate('accept')} disabled={act.isPending}>
          Accept and reserve
        </button>
      )}
      {source && ['draft', 'picked', 'in_transit'].includes(t.status) && unshipped && (
        <button type="button" className="primary" onClick={() => act.mutate('ship')} disabled={act.isPending}>
          Ship {t.lines.some((l) => l.qty_picked > l.qty_shipped) ? 'what is picked' : 'everything'}
        </button>
      )}
      {destination && t.status === 'in_transit' && (
        <Link className="button primary" to={`/stock/transfers/${t.id}/receive`}>
          Receive
        </Link>
      )}
      {destination && ['in_transit', 'received'].includes(t.status) && (
        <button type="button" onClick={() => act.mutate('close')} disabled={act.isPending}>
          Close
        </button>
      )}
      {(source || destination) && ['requested', 'draft', 'picked'].includes(t.status) && (
        <button type="button" className="danger" onClick={() => act.mutate('cancel')} disabled={act.isPending}>
          Cancel
        </button>
      )}
    </>
  );
}
