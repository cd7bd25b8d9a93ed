import type { Receipt } from '../../api/types.ts';
import { Empty } from '../../components/ui.tsx';

/** What does not match the order, updated with every scan. */
export function ReceiptDiscrepancies({ receipt: r }: { receipt: Receipt }) {
  return (
    <div className="card" aria-live="polite">
      <h2>Discrepancies</h2>
      {r.needs_approval && <p className="warning">Something is over the vendor’s tolerance: posting waits for a manager’s approval.</p>}
      {r.discrepancies.length === 0 ? (
        <Empty>None so far.</Empty>
      ) : (
        <ul data-testid="discrepancies">
          {r.discrepancies.map((d, i) => (
            <li key={i}>
              <span className={`badge badge-${d.kind}`}>{d.kind.replace(/_/g, ' ')}</span> {d.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
