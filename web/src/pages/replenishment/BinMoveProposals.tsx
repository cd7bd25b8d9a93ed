import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { BinMoveProposal } from '../../api/types.ts';
import { ErrorBanner } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

type Line = BinMoveProposal['lines'][number];

/** Pick faces at or below their min, with the reserve bin to fill each from; one button makes the bin move as proposed. */
export function BinMoveProposals({ groups, canMove }: { groups: BinMoveProposal[]; canMove: boolean }) {
  const qc = useQueryClient();
  const [moved, setMoved] = useState<string[]>([]);
  const move = useMutation({
    mutationFn: (l: Line) => api.post('/api/v1/bin-moves', { from_location_id: l.from_location_id, to_location_id: l.to_location_id, lines: [{ item_id: l.item_id, qty: l.qty }] }),
    onSuccess: (_r, l) => {
      setMoved((m) => [...m, `${l.item_id}|${l.to_location_id}|${l.from_location_id}`]);
      void qc.invalidateQueries({ queryKey: ['replenishment'] });
    },
  });
  if (groups.length === 0) return null;
  return (
    <>
      <h2>Pick faces to fill</h2>
      {move.error && <ErrorBanner error={move.error} />}
      {groups.map((g) => (
        <div className="card" key={g.site_id} data-testid="bin-move-proposal">
          <h3>{g.site_name}</h3>
          <ListTable exportName="pick-face-moves">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Why</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col">Move</th>
              </tr>
            </thead>
            <tbody>
              {g.lines.map((l) => {
                const key = `${l.item_id}|${l.to_location_id}|${l.from_location_id}`;
                return (
                  <tr key={key}>
                    <td>
                      {l.name} <span className="muted mono">{l.sku}</span>
                    </td>
                    <td className="why">{l.why}</td>
                    <td className="num">{l.qty}</td>
                    <td>
                      {moved.includes(key) ? (
                        'Moved'
                      ) : canMove ? (
                        <button type="button" disabled={move.isPending} onClick={() => move.mutate(l)}>
                          {l.from_code} → {l.to_code}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </ListTable>
        </div>
      ))}
    </>
  );
}
