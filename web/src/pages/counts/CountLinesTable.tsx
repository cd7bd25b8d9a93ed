import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ErrorBanner, formatDateTime, Money, Qty, StatusBadge } from '../../components/ui.tsx';
import { parseQuantityInput } from '../../lib/decimal.ts';
import type { Count, CountLine } from './types.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** A line's variance class: waiting ones stand out, losses and gains are told apart. */
function varianceClass(line: CountLine): string | undefined {
  if (line.status === 'pending') return 'highlight variance-pending';
  if (line.variance_qty == null || line.variance_qty === 0) return undefined;
  return line.variance_qty < 0 ? 'variance-loss' : 'variance-gain';
}

/** The count's lines; a manager decides on waiting ones here (approve, reject for a recount, edit). */
export function CountLinesTable({ count }: { count: Count }) {
  const session = useSignedIn();
  const client = useQueryClient();
  const [editing, setEditing] = useState<string | null>(null);
  const [qty, setQty] = useState('');
  const [reason, setReason] = useState('');
  const decide = useMutation({
    mutationFn: (decision: Record<string, unknown>) => api.post<Count>(`/api/v1/counts/${count.id}/approve`, { decisions: [decision] }),
    onSuccess: (c) => {
      client.setQueryData(['count', count.id], c);
      setEditing(null);
    },
  });
  const parsedQty = parseQuantityInput(qty, { allowZero: true });
  const deciding = session.can('counts.approve') && count.status === 'submitted';
  const lines = count.lines.filter((l) => l.status !== 'superseded');
  return (
    <>
      <ErrorBanner error={decide.error} />
      <ListTable exportName="count-lines" data-testid="count-lines">
        <thead>
          <tr>
            <th scope="col">Bin</th>
            <th scope="col">Item</th>
            <th scope="col">Lot</th>
            <th scope="col">Counted</th>
            {count.expected_visible && <th scope="col">Expected</th>}
            {count.expected_visible && <th scope="col">Variance</th>}
            {count.expected_visible && session.seesCosts && <th scope="col">Value</th>}
            <th scope="col">Status</th>
            {deciding && <th scope="col">Decide</th>}
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.id} className={varianceClass(l)} data-testid={`line-${l.sku}`}>
              <td className="mono">{l.location_code}</td>
              <td>
                {l.item_name} <span className="muted mono">{l.sku}</span> {l.found && <span className="badge">found</span>}
              </td>
              <td>{l.lot_code ?? ''}</td>
              <td title={l.counted_at ? `counted ${formatDateTime(l.counted_at)}` : undefined}>
                <Qty value={l.counted_qty} unit={l.base_unit} />
              </td>
              {count.expected_visible && (
                <td>
                  <Qty value={l.expected_qty ?? null} />
                </td>
              )}
              {count.expected_visible && <td className="variance">{l.variance_qty == null ? '' : l.variance_qty > 0 ? `+${l.variance_qty}` : String(l.variance_qty)}</td>}
              {count.expected_visible && session.seesCosts && (
                <td>
                  <Money value={l.variance_value} />
                </td>
              )}
              <td>
                <StatusBadge status={l.status} />
                {l.decision_reason && <div className="muted">{l.decision_reason}</div>}
              </td>
              {deciding && (
                <td>
                  {l.status === 'pending' && editing !== l.id && (
                    <span className="actions">
                      <button type="button" className="button small" onClick={() => decide.mutate({ line_id: l.id, action: 'approve' })}>
                        Approve
                      </button>
                      <button type="button" className="button small" onClick={() => setEditing(l.id)}>
                        Reject or edit
                      </button>
                    </span>
                  )}
                  {editing === l.id && (
                    <span className="actions">
                      <input aria-label="Corrected quantity" inputMode="decimal" value={qty} onChange={(e) => setQty(e.target.value)} placeholder="qty" size={5} />
                      <input aria-label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="reason" />
                      <button type="button" className="button small" disabled={!reason} onClick={() => decide.mutate({ line_id: l.id, action: 'reject', reason })}>
                        Recount
                      </button>
                      <button
                        type="button"
                        className="button small"
                        disabled={!reason || !parsedQty.ok}
                        onClick={() => parsedQty.ok && decide.mutate({ line_id: l.id, action: 'edit', qty: parsedQty.value, reason })}
                      >
                        Save edit
                      </button>
                    </span>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </ListTable>
    </>
  );
}
