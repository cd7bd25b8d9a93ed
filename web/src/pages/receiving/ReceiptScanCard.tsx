import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { ApiError, describeError } from '../../api/problem.ts';
import type { Item, Receipt } from '../../api/types.ts';
import { ScanBox, type ScanOutcome } from '../../components/ScanBox.tsx';
import { SelectField, TextField } from '../../components/ui.tsx';
import { parseQuantityInput } from '../../lib/decimal.ts';

/** Where a draft receipt is scanned: each scan adds to it, with the quantity per scan and the condition chosen here. */
export function ReceiptScanCard({ receiptId, onReceipt }: { receiptId: string; onReceipt(next: Receipt): void }) {
  const qc = useQueryClient();
  const [qty, setQty] = useState('');
  const [condition, setCondition] = useState<'good' | 'damaged'>('good');
  const [scanning, setScanning] = useState(0);
  const scan = async (code: string): Promise<ScanOutcome> => {
    const q = qty.trim() ? parseQuantityInput(qty) : null;
    if (q && !q.ok) return { ok: false, message: `quantity: ${q.message}` };
    setScanning((n) => n + 1);
    try {
      const result = await api.post<{ receipt: Receipt; line_id: string; scan: { item_id: string; lot_code: string | null; count: number | null } }>(`/api/v1/receipts/${receiptId}/scans`, {
        code,
        ...(q?.ok ? { qty: q.value } : {}),
        ...(condition === 'damaged' ? { condition } : {}),
      });
      onReceipt(result.receipt);
      const line = result.receipt.lines.find((l) => l.id === result.line_id);
      const item = await qc.ensureQueryData({ queryKey: ['item', result.scan.item_id], queryFn: () => api.get<Item>(`/api/v1/items/${result.scan.item_id}`) });
      return { ok: true, message: `${item.name}: now ${line ? `${line.qty} ${line.unit}` : 'added'}${result.scan.lot_code ? `, lot ${result.scan.lot_code}` : ''}${condition === 'damaged' ? ' (damaged)' : ''}` };
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'scan_not_recognized' || error.status === 404)) return { ok: false, message: error.detail };
      return { ok: false, message: describeError(error) };
    } finally {
      setScanning((n) => n - 1);
    }
  };
  return (
    <div className="card">
      <div className="grid-3">
        <TextField label="Quantity per scan" inputMode="decimal" value={qty} onValue={setQty} hint="Empty: one of the order’s unit (a case), or the label’s count" />
        <SelectField
          label="Condition"
          value={condition}
          onValue={(v) => setCondition(v as 'good' | 'damaged')}
          options={[
            { value: 'good', label: 'Good' },
            { value: 'damaged', label: 'Damaged (to quarantine)' },
          ]}
        />
      </div>
      <ScanBox onScan={scan} busy={scanning > 0} submitLabel="Receive" />
    </div>
  );
}
