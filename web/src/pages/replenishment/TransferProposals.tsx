import type { TransferProposal } from '../../api/types.ts';
import { Empty } from '../../components/ui.tsx';
import type { LineChoice } from './PurchaseProposals.tsx';
import { ListTable } from '../../components/ListTable.tsx';

export const transferKey = (groupIndex: number, lineIndex: number) => `t${groupIndex}:${lineIndex}`;

/** Transfer proposals by destination: from the warehouse or an overstocked store, each line explained. */
export function TransferProposals({ groups, choices, onChoice }: { groups: TransferProposal[]; choices: Record<string, LineChoice>; onChoice(key: string, c: LineChoice): void }) {
  if (groups.length === 0) return <Empty>Nothing to move between sites.</Empty>;
  return (
    <>
      {groups.map((g, gi) => (
        <div className="card" key={`${g.source_site_id}-${g.destination_site_id}`} data-testid="transfer-proposal">
          <h3>
            {g.destination_site_name} ← {g.source_site_name}
          </h3>
          <ListTable exportName="transfer-proposals">
            <thead>
              <tr>
                <th scope="col">Move</th>
                <th scope="col">Item</th>
                <th scope="col">Why</th>
                <th scope="col" className="num">
                  Quantity
                </th>
              </tr>
            </thead>
            <tbody>
              {g.lines.map((l, li) => {
                const key = transferKey(gi, li);
                const c = choices[key] ?? { keep: true, qty: String(l.qty) };
                return (
                  <tr key={key}>
                    <td>
                      <input type="checkbox" aria-label={`Move ${l.name}`} checked={c.keep} onChange={(e) => onChoice(key, { ...c, keep: e.target.checked })} />
                    </td>
                    <td>
                      {l.name} <span className="muted mono">{l.sku}</span>
                    </td>
                    <td className="why">{l.why}</td>
                    <td className="num">
                      <input className="qty-input" inputMode="decimal" aria-label={`Quantity of ${l.name} to move`} value={c.qty} onChange={(e) => onChoice(key, { ...c, qty: e.target.value })} />
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
