import type { ReplenishmentProposals } from '../../api/types.ts';
import { parseQuantityInput } from '../../lib/decimal.ts';
import { lineKey, type LineChoice } from './PurchaseProposals.tsx';
import { transferKey } from './TransferProposals.tsx';

/**
 * The request bodies made from the proposals as the person left them: dropped lines left out,
 * edited quantities parsed (a bad one is reported by its key, and nothing is sent).
 */
export function chosenLines(p: ReplenishmentProposals, choices: Record<string, LineChoice>) {
  const errors: Record<string, string> = {};
  const purchase: Array<{ item_id: string; site_id: string; vendor_id: string; qty: number; unit: string }> = [];
  p.purchase.forEach((g, gi) =>
    g.lines.forEach((l, li) => {
      const key = lineKey(gi, li);
      const c = choices[key] ?? { keep: g.vendor_id !== null, qty: String(l.qty) };
      if (!c.keep || g.vendor_id === null) return;
      const q = parseQuantityInput(c.qty);
      if (!q.ok) errors[key] = q.message;
      else purchase.push({ item_id: l.item_id, site_id: g.site_id, vendor_id: g.vendor_id, qty: q.value, unit: l.unit });
    }),
  );
  const transfer: Array<{ item_id: string; source_site_id: string; destination_site_id: string; qty: number }> = [];
  p.transfer.forEach((g, gi) =>
    g.lines.forEach((l, li) => {
      const key = transferKey(gi, li);
      const c = choices[key] ?? { keep: true, qty: String(l.qty) };
      if (!c.keep) return;
      const q = parseQuantityInput(c.qty);
      if (!q.ok) errors[key] = q.message;
      else transfer.push({ item_id: l.item_id, source_site_id: g.source_site_id, destination_site_id: g.destination_site_id, qty: q.value });
    }),
  );
  return { purchase, transfer, errors };
}
