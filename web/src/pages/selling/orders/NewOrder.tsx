import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, newIdempotencyKey } from '../../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../../api/problem.ts';
import type { Item } from '../../../api/types.ts';
import { ItemSearch } from '../../../components/ItemSearch.tsx';
import { FormErrors, SelectField, TextField } from '../../../components/ui.tsx';
import { parseQuantityInput } from '../../../lib/decimal.ts';
import type { Channel, Order } from '../types.ts';

const none: MappedProblem = { byField: {}, general: [] };

/** An order taken by phone or email, entered by hand. */
export function NewOrder({ channels }: { channels: Channel[] }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form, setForm] = useState({ channel_id: channels[0]?.id ?? '', channel_order_id: `WEB-${Date.now().toString(36).toUpperCase()}`, name: '', email: '', ship_to: '' });
  const [lines, setLines] = useState<{ item: Item; qty: string }[]>([]);
  const [problem, setProblem] = useState(none);
  const [key] = useState(() => newIdempotencyKey('order'));
  const save = useMutation({
    mutationFn: (body: unknown) => api.post<Order>('/api/v1/orders', body, { idempotencyKey: key }),
    onSuccess: (order) => {
      void qc.invalidateQueries({ queryKey: ['orders'] });
      navigate(`/selling/orders/${order.id}`);
    },
    onError: (e) => setProblem(mapProblem(e, ['channel_id', 'channel_order_id', 'customer', 'ship_to', 'lines', ...lines.flatMap((_, i) => [`lines.${i}`, `lines.${i}.qty`])])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    const bodyLines = lines.map((l, i) => {
      const q = parseQuantityInput(l.qty);
      if (!q.ok) local[`lines.${i}.qty`] = q.message;
      return { item_id: l.item.id, qty: q.ok ? q.value : 0 };
    });
    if (lines.length === 0) local.lines = 'Add at least one item';
    if (Object.keys(local).length) return setProblem({ byField: local, general: [] });
    setProblem(none);
    save.mutate({
      channel_id: form.channel_id,
      channel_order_id: form.channel_order_id,
      ...(form.name || form.email ? { customer: { ...(form.name ? { name: form.name } : {}), ...(form.email ? { email: form.email } : {}) } } : {}),
      ...(form.ship_to ? { ship_to: form.ship_to } : {}),
      lines: bodyLines,
    });
  };
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Take an order">
      <p className="hint">For an order taken by phone or email; web shops send theirs through the API with a token.</p>
      <FormErrors messages={problem.general} />
      <div className="grid-3">
        <SelectField label="Channel" value={form.channel_id} onValue={set('channel_id')} error={problem.byField.channel_id} options={channels.map((c) => ({ value: c.id, label: c.name }))} />
        <TextField label="Order number" value={form.channel_order_id} onValue={set('channel_order_id')} error={problem.byField.channel_order_id} />
        <TextField label="Customer name" value={form.name} onValue={set('name')} />
        <TextField label="Customer email" value={form.email} onValue={set('email')} error={problem.byField.customer} />
        <TextField label="Ship to" value={form.ship_to} onValue={set('ship_to')} error={problem.byField.ship_to} />
      </div>
      <ItemSearch label="Add an item" onPick={(item) => setLines((ls) => [...ls, { item, qty: '1' }])} />
      {problem.byField.lines && <div className="field-error">{problem.byField.lines}</div>}
      {lines.map((l, i) => (
        <div className="row" key={`${l.item.id}-${i}`}>
          <span className="grow">{l.item.name}</span>
          <TextField label={`Quantity of ${l.item.name}`} inputMode="decimal" value={l.qty} onValue={(v) => setLines((ls) => ls.map((x, j) => (j === i ? { ...x, qty: v } : x)))} error={problem.byField[`lines.${i}.qty`] ?? problem.byField[`lines.${i}`]} />
        </div>
      ))}
      <button type="submit" className="primary" disabled={save.isPending}>
        {save.isPending ? 'Reserving stock…' : 'Take order'}
      </button>
    </form>
  );
}
