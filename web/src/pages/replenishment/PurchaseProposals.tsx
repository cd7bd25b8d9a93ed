import type { PurchaseProposal } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { Empty, Money } from '../../components/ui.tsx';
import { formatQty } from '../../lib/decimal.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** A proposal line as the person edits it: kept or dropped, and its quantity in the vendor's unit. */
export interface LineChoice {
  keep: boolean;
  qty: string;
}

export const lineKey = (groupIndex: number, lineIndex: number) => `${groupIndex}:${lineIndex}`;

/** Purchase proposals by vendor and delivery site: each line's why, an editable quantity, a box to drop it. */
export function PurchaseProposals({ groups, choices, onChoice }: { groups: PurchaseProposal[]; choices: Record<string, LineChoice>; onChoice(key: string, c: LineChoice): void }) {
  const session = useSignedIn();
  if (groups.length === 0) return <Empty>Nothing to buy: every item is above its min, counting what is on its way.</Empty>;
  return (
    <>
      {groups.map((g, gi) => (
        <div className="card" key={`${g.vendor_id}-${g.site_id}`} data-testid="purchase-proposal">
          <h3>
            {g.vendor_name ?? 'No vendor'} → {g.site_name}
            {g.expected_on && <span className="muted"> · expected {g.expected_on}</span>}
            {session.seesCosts && g.total_cost && (
              <span className="muted">
                {' '}
                · <Money value={g.total_cost} currency={g.currency ?? undefined} />
              </span>
            )}
          </h3>
          <ListTable exportName="purchase-proposals">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Item</th>
                <th scope="col">Why</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                {session.seesCosts && (
                  <th scope="col" className="num">
                    Cost
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {g.lines.map((l, li) => {
                const key = lineKey(gi, li);
                const c = choices[key] ?? { keep: g.vendor_id !== null, qty: String(l.qty) };
                return (
                  <tr key={key}>
                    <td>
                      <input type="checkbox" aria-label={`Order ${l.name}`} checked={c.keep} disabled={g.vendor_id === null} onChange={(e) => onChoice(key, { ...c, keep: e.target.checked })} />
                    </td>
                    <td>
                      {l.name} <span className="muted mono">{l.sku}</span>
                    </td>
                    <td className="why">{l.why}</td>
                    <td className="num">
                      <input className="qty-input" inputMode="decimal" aria-label={`Quantity of ${l.name} in ${l.unit}`} value={c.qty} onChange={(e) => onChoice(key, { ...c, qty: e.target.value })} />{' '}
                      {l.unit}
                      {l.unit_factor !== 1 && <span className="muted"> ({formatQty(l.unit_factor)} each)</span>}
                    </td>
                    {session.seesCosts && (
                      <td className="num">
                        <Money value={l.line_cost} currency={g.currency ?? undefined} />
                      </td>
                    )}
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
