import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { newIdempotencyKey } from '../../api/client.ts';
import type { Item, PurchaseOrderSummary } from '../../api/types.ts';
import { ScanBox, type ScanOutcome } from '../../components/ScanBox.tsx';
import { Empty } from '../../components/ui.tsx';
import { lookUpItem } from '../../lib/lookup.ts';
import { useOffline } from '../../offline/OfflineProvider.tsx';

interface ScannedLine {
  item: Pick<Item, 'id' | 'sku' | 'name'>;
  /** Scans: each is one of the order line's unit (a case), as the online receiving screen counts them. */
  qty: number;
}

/**
 * Receiving a delivery with no connection: each scan counts one unit of the order line (a case),
 * found in the catalogue the phone keeps. Saving keeps the whole delivery as one receipt against
 * the order, posted when it reaches the server and dated when it was saved here.
 */
export function ReceiveOffline() {
  const { poId = '' } = useParams();
  const offline = useOffline();
  const qc = useQueryClient();
  const order = qc.getQueryData<PurchaseOrderSummary[]>(['purchase-orders', 'open'])?.find((o) => o.id === poId);
  const [lines, setLines] = useState<ScannedLine[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  const [key] = useState(() => newIdempotencyKey('rcv'));

  const onScan = async (code: string): Promise<ScanOutcome> => {
    const item = await lookUpItem(code);
    if (!item) return { ok: false, message: 'no item has this code on this phone' };
    setLines((ls) => {
      const at = ls.findIndex((l) => l.item.id === item.id);
      return at >= 0 ? ls.map((l, i) => (i === at ? { ...l, qty: l.qty + 1 } : l)) : [...ls, { item, qty: 1 }];
    });
    return { ok: true, message: `${item.name} counted` };
  };

  const save = async () => {
    const occurredAt = new Date().toISOString();
    await offline.enqueue({
      kind: 'receipt',
      method: 'POST',
      path: '/api/v1/receipts',
      body: { purchase_order_id: poId, lines: lines.map((l) => ({ item_id: l.item.id, qty: l.qty })), post: true, occurred_at: occurredAt },
      idempotencyKey: key,
      occurredAt,
      summary: `Receipt for ${order?.number ?? poId}: ${lines.map((l) => `${l.qty} × ${l.item.name}`).join(', ')}`,
    });
    setSaved(occurredAt);
  };

  if (saved) {
    return (
      <div className="card" role="status" data-testid="queued-receipt">
        <h2>Delivery kept on this phone</h2>
        <p>It is posted as a receipt against {order?.number ?? 'the order'}, dated {new Date(saved).toLocaleTimeString()}, when the server is back.</p>
        <Link to="/scanner/receive">Back to deliveries</Link>
      </div>
    );
  }
  return (
    <>
      <h2>Receive {order?.number ?? 'a delivery'} offline</h2>
      <ScanBox onScan={onScan} compact label="Scan each case" submitLabel="Receive" />
      <div className="card" aria-live="polite">
        {lines.length === 0 ? (
          <Empty>Nothing scanned yet.</Empty>
        ) : (
          <ul className="plain" data-testid="offline-receipt-lines">
            {lines.map((l) => (
              <li key={l.item.id}>
                {l.item.name}: {l.qty}
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" className="primary block" onClick={() => void save()} disabled={lines.length === 0}>
        Keep receipt until online
      </button>
    </>
  );
}
