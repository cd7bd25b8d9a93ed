import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../../api/problem.ts';
import { useLocationLabel, useSignedIn } from '../../../auth/session.tsx';
import { ErrorBanner, formatDate, FormErrors, Qty, StatusBadge, TextField } from '../../../components/ui.tsx';
import { parseQuantityInput } from '../../../lib/decimal.ts';
import type { PickList, Shipment } from '../types.ts';

const none: MappedProblem = { byField: {}, general: [] };

/** A pick list: bins in walking order, then packing into one or two parcels. */
export function PickListCard({ pick, itemName, onChange }: { pick: PickList; itemName(id: string): string; onChange(): void }) {
  const session = useSignedIn();
  const label = useLocationLabel();
  // How much of each pick line goes into a second parcel; the rest goes into the first.
  const [second, setSecond] = useState<Record<string, string>>({});
  const [weights, setWeights] = useState<Record<string, string>>({ '1': '500', '2': '500' });
  const [problem, setProblem] = useState(none);
  const picked = useMutation({ mutationFn: () => api.post(`/api/v1/pick-lists/${pick.id}/picked`), onSuccess: onChange });
  const pack = useMutation({
    mutationFn: (body: unknown) => api.post<Shipment>(`/api/v1/pick-lists/${pick.id}/shipments`, body),
    onSuccess: onChange,
    onError: (e) => setProblem(mapProblem(e, ['packages'])),
  });
  const remaining = pick.lines.filter((l) => l.qty_packed < l.qty);
  const doPack = () => {
    const parcels: Map<string, number>[] = [new Map(), new Map()];
    const local: string[] = [];
    for (const l of remaining) {
      const left = l.qty - l.qty_packed;
      const typed = (second[l.id] ?? '').trim();
      const q = typed ? parseQuantityInput(typed, { allowZero: true }) : { ok: true as const, value: 0 };
      if (!q.ok || q.value > left) {
        local.push(`${itemName(l.item_id)}: the second parcel can take 0 to ${left}`);
        continue;
      }
      const add = (i: number, qty: number) => qty > 0 && parcels[i]!.set(l.order_line_id, (parcels[i]!.get(l.order_line_id) ?? 0) + qty);
      add(0, Math.round((left - q.value) * 1000) / 1000);
      add(1, q.value);
    }
    if (local.length) return setProblem({ byField: {}, general: local });
    const packages = parcels
      .map((lines, i) => ({ lines, weight: weights[String(i + 1)] ?? '500' }))
      .filter((p) => p.lines.size > 0)
      .map((p) => {
        const w = parseQuantityInput(p.weight);
        return { weight_g: w.ok ? w.value : 500, lines: [...p.lines.entries()].map(([order_line_id, qty]) => ({ order_line_id, qty })) };
      });
    setProblem(none);
    pack.mutate({ packages });
  };
  const usesSecond = remaining.some((l) => Number(second[l.id] ?? 0) > 0);
  return (
    <div className="card" data-testid="pick-list">
      <h2>
        Pick list at {label(pick.site_id)} <StatusBadge status={pick.status} />
      </h2>
      <p className="hint">Bins in walking order{pick.lines.some((l) => l.expires_on) ? '; soonest expiry first' : ''}.</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Bin</th>
            <th scope="col">Item</th>
            <th scope="col" className="num">
              Pick
            </th>
            <th scope="col" className="num">
              Packed
            </th>
            {pick.status === 'picked' && remaining.length > 0 && <th scope="col">Into parcel 2</th>}
          </tr>
        </thead>
        <tbody>
          {pick.lines.map((l) => (
            <tr key={l.id}>
              <td className="mono">{l.bin}</td>
              <td>
                {itemName(l.item_id)}
                {l.expires_on && <span className="muted"> exp. {formatDate(l.expires_on)}</span>}
              </td>
              <td className="num">
                <Qty value={l.qty} />
              </td>
              <td className="num">
                <Qty value={l.qty_packed} />
              </td>
              {pick.status === 'picked' && remaining.length > 0 && (
                <td>
                  {l.qty_packed < l.qty && (
                    <input
                      className="inline-input"
                      size={5}
                      inputMode="decimal"
                      aria-label={`How many ${itemName(l.item_id)} go into parcel 2`}
                      placeholder="0"
                      value={second[l.id] ?? ''}
                      onChange={(e) => setSecond((p) => ({ ...p, [l.id]: e.target.value }))}
                    />
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {session.can('fulfillment.write') && pick.status === 'open' && (
        <button type="button" className="primary" onClick={() => picked.mutate()} disabled={picked.isPending}>
          Mark picked
        </button>
      )}
      {session.can('fulfillment.write') && pick.status === 'picked' && remaining.length > 0 && (
        <div className="subform">
          <h3>Pack</h3>
          <FormErrors messages={problem.general} />
          <div className="row">
            {(usesSecond ? ['1', '2'] : ['1']).map((n) => (
              <TextField key={n} label={`Parcel ${n} weight (g)`} inputMode="decimal" value={weights[n] ?? '500'} onValue={(v) => setWeights((w) => ({ ...w, [n]: v }))} />
            ))}
          </div>
          <button type="button" className="primary" onClick={doPack} disabled={pack.isPending}>
            {usesSecond ? 'Pack in two parcels' : 'Pack'}
          </button>
        </div>
      )}
      <ErrorBanner error={picked.error} />
    </div>
  );
}
