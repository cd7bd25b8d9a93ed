import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Item, PurchaseOrder, PurchaseOrderLine } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ItemSearch } from '../../components/ItemSearch.tsx';
import { FormErrors, TextField } from '../../components/ui.tsx';
import { parseMoneyInput, parseQuantityInput } from '../../lib/decimal.ts';
import { itemLabel, useItemsById } from '../../lib/items.ts';

const EDITABLE: ReadonlyArray<PurchaseOrder['status']> = ['draft', 'sent', 'partially_received'];
const none: MappedProblem = { byField: {}, general: [] };

/**
 * Changing an order's lines while it is open: quantities (never below what arrived), prices, lines
 * added and removed. A sent order gets a new revision the vendor is sent again.
 */
export function PurchaseOrderLineEditor({ order }: { order: PurchaseOrder }) {
  const session = useSignedIn();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  if (!EDITABLE.includes(order.status) || !session.can('purchasing.write')) return null;
  const onChanged = (next: PurchaseOrder) => qc.setQueryData(['purchase-order', order.id], next);
  return (
    <div className="card" data-testid="po-line-editor">
      <h2>Change lines</h2>
      {order.status !== 'draft' && <p className="muted">The order was sent: a change makes revision {order.revision + 1}, which you send to the vendor again.</p>}
      {open ? (
        <>
          {order.lines.map((l) => (
            <LineRow key={`${l.id}:${l.qty}:${l.unit_price ?? ''}`} order={order} line={l} seesCosts={session.seesCosts} onChanged={onChanged} />
          ))}
          <AddLine order={order} seesCosts={session.seesCosts} onChanged={onChanged} />
          <button type="button" className="ghost" onClick={() => setOpen(false)}>
            Done
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          Edit lines
        </button>
      )}
    </div>
  );
}

function LineRow({ order, line, seesCosts, onChanged }: { order: PurchaseOrder; line: PurchaseOrderLine; seesCosts: boolean; onChanged(po: PurchaseOrder): void }) {
  const items = useItemsById([line.item_id]);
  const [qty, setQty] = useState(String(line.qty));
  const [price, setPrice] = useState(line.unit_price ?? '');
  const [problem, setProblem] = useState(none);
  const path = `/api/v1/purchase-orders/${order.id}/lines/${line.id}`;
  const save = useMutation({
    mutationFn: (body: unknown) => api.patch<PurchaseOrder>(path, body),
    onSuccess: onChanged,
    onError: (error) => setProblem(mapProblem(error, ['qty', 'unit_price'])),
  });
  const remove = useMutation({ mutationFn: () => api.delete<PurchaseOrder>(path), onSuccess: onChanged, onError: (error) => setProblem(mapProblem(error, [])) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    const q = parseQuantityInput(qty);
    if (!q.ok) return setProblem({ byField: { qty: q.message }, general: [] });
    if (q.value !== line.qty) body.qty = q.value;
    if (seesCosts && price.trim() !== (line.unit_price ?? '')) {
      const p = parseMoneyInput(price);
      if (!p.ok) return setProblem({ byField: { unit_price: p.message }, general: [] });
      body.unit_price = p.value;
    }
    if (Object.keys(body).length > 0) save.mutate(body);
  };
  return (
    <form className="form inline-form po-line-edit" onSubmit={submit} noValidate aria-label={`Line ${line.line_no}`}>
      <span>
        {line.line_no}. {itemLabel(items.get(line.item_id), line.item_id)}
      </span>
      <TextField label={`Quantity (${line.unit})`} value={qty} onValue={setQty} inputMode="decimal" className="qty-input" error={problem.byField.qty} />
      {seesCosts && <TextField label={`Unit price (${order.currency})`} value={price} onValue={setPrice} inputMode="decimal" className="qty-input" error={problem.byField.unit_price} />}
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
      <button type="button" className="ghost" onClick={() => remove.mutate()} disabled={remove.isPending || line.qty_received > 0} title={line.qty_received > 0 ? 'Goods arrived against this line' : undefined}>
        Remove
      </button>
      <FormErrors messages={problem.general} />
    </form>
  );
}

function AddLine({ order, seesCosts, onChanged }: { order: PurchaseOrder; seesCosts: boolean; onChanged(po: PurchaseOrder): void }) {
  const [item, setItem] = useState<Item | null>(null);
  const [qty, setQty] = useState('');
  const [price, setPrice] = useState('');
  const [problem, setProblem] = useState(none);
  const add = useMutation({
    mutationFn: (body: unknown) => api.post<PurchaseOrder>(`/api/v1/purchase-orders/${order.id}/lines`, body),
    onSuccess: (next) => {
      setItem(null);
      setQty('');
      setPrice('');
      setProblem(none);
      onChanged(next);
    },
    onError: (error) => setProblem(mapProblem(error, ['lines.0.qty', 'lines.0.unit_price', 'lines.0.item_id'])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!item) return setProblem({ byField: {}, general: ['Choose an item to add'] });
    const q = parseQuantityInput(qty);
    if (!q.ok) return setProblem({ byField: { 'lines.0.qty': q.message }, general: [] });
    const line: Record<string, unknown> = { item_id: item.id, qty: q.value };
    if (seesCosts && price.trim() !== '') {
      const p = parseMoneyInput(price);
      if (!p.ok) return setProblem({ byField: { 'lines.0.unit_price': p.message }, general: [] });
      line.unit_price = p.value;
    }
    add.mutate({ lines: [line] });
  };
  return (
    <form className="form subform" onSubmit={submit} noValidate aria-label="Add a line">
      <h3>Add a line</h3>
      <FormErrors messages={problem.general} />
      <ItemSearch label={item ? `Item: ${item.sku} ${item.name}` : 'Item'} onPick={setItem} />
      <div className="grid-3">
        <TextField label="Quantity" value={qty} onValue={setQty} inputMode="decimal" hint="In the vendor's purchase unit" error={problem.byField['lines.0.qty']} />
        {seesCosts && <TextField label={`Unit price (${order.currency})`} value={price} onValue={setPrice} inputMode="decimal" hint="Empty: the vendor's price" error={problem.byField['lines.0.unit_price'] ?? problem.byField['lines.0.item_id']} />}
      </div>
      <button type="submit" className="primary" disabled={add.isPending}>
        Add line
      </button>
    </form>
  );
}
