import { Link } from 'react-router';
import type { PurchaseOrder } from '../../api/types.ts';
import { Empty, formatDateTime, StatusBadge } from '../../components/ui.tsx';

/** What has come in against the order so far, and what did not match it. */
export function PurchaseOrderSide({ order: o }: { order: PurchaseOrder }) {
  return (
    <div className="grid-2">
      <div className="card">
        <h2>Receipts</h2>
        {o.receipts.length === 0 ? (
          <Empty>Nothing received yet.</Empty>
        ) : (
          <ul>
            {o.receipts.map((r) => (
              <li key={r.id}>
                <Link to={`/purchasing/receipts/${r.id}`}>{r.number}</Link> <StatusBadge status={r.status} /> {r.posted_at && formatDateTime(r.posted_at)}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="card">
        <h2>Discrepancies</h2>
        {o.discrepancies.length === 0 ? (
          <Empty>None.</Empty>
        ) : (
          <ul>
            {o.discrepancies.map((d, i) => (
              <li key={i}>
                <span className={`badge badge-${d.kind}`}>{d.kind.replace(/_/g, ' ')}</span> {d.detail}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
