import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { LandedCost, Receipt } from '../../api/types.ts';
import { useSettings, useSignedIn } from '../../auth/session.tsx';
import { FormErrors, Money, SelectField, TextField } from '../../components/ui.tsx';
import { parseMoneyInput, sumMoney } from '../../lib/decimal.ts';
import { ListTable } from '../../components/ListTable.tsx';

const none: MappedProblem = { byField: {}, general: [] };
const KINDS = [
  { value: 'freight', label: 'Freight' },
  { value: 'duty', label: 'Duty' },
  { value: 'insurance', label: 'Insurance' },
  { value: 'other', label: 'Other' },
];
const METHODS = [
  { value: 'value', label: 'By value of the goods' },
  { value: 'quantity', label: 'By quantity' },
  { value: 'weight', label: 'By weight' },
];

/**
 * Freight, duty and other charges on a posted receipt: what was added, and a form to add a bill's
 * charge, which raises the cost of the goods received (and re-costs anything already sold).
 */
export function ReceiptLandedCosts({ receipt, onAdded }: { receipt: Receipt; onAdded(): void }) {
  const session = useSignedIn();
  if (!session.seesCosts || receipt.status !== 'posted') return null;
  const costs = receipt.landed_costs ?? [];
  return (
    <div className="card" data-testid="landed-costs">
      <h2>Landed costs</h2>
      {costs.length === 0 ? <p className="muted">No freight, duty or other charges added.</p> : <LandedCostTable costs={costs} />}
      {session.can('purchasing.write') && <LandedCostForm receiptId={receipt.id} onAdded={onAdded} />}
    </div>
  );
}

function LandedCostTable({ costs }: { costs: LandedCost[] }) {
  const base = useSettings().base_currency;
  return (
    <ListTable exportName="landed-costs">
      <thead>
        <tr>
          <th scope="col">Charge</th>
          <th scope="col">Reference</th>
          <th scope="col">Spread</th>
          <th scope="col" className="num">
            Amount
          </th>
          <th scope="col" className="num">
            On this receipt ({base})
          </th>
        </tr>
      </thead>
      <tbody>
        {costs.map((c) => (
          <tr key={c.id}>
            <td>
              {c.number} · {c.kind}
            </td>
            <td>{c.reference ?? '—'}</td>
            <td>by {c.method}</td>
            <td className="num">
              <Money value={c.amount} currency={c.currency} />
              {c.exchange_rate && <div className="muted">at {c.exchange_rate}</div>}
            </td>
            <td className="num">
              <Money value={sumMoney(c.allocations.map((a) => a.amount_base))} currency={base} />
            </td>
          </tr>
        ))}
      </tbody>
    </ListTable>
  );
}

function LandedCostForm({ receiptId, onAdded }: { receiptId: string; onAdded(): void }) {
  const base = useSettings().base_currency;
  const [form, setForm] = useState({ kind: 'freight', amount: '', currency: base, exchange_rate: '', method: 'value', reference: '' });
  const [problem, setProblem] = useState(none);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const add = useMutation({
    mutationFn: (body: unknown) => api.post(`/api/v1/receipts/${receiptId}/landed-costs`, body),
    onSuccess: () => {
      setForm((f) => ({ ...f, amount: '', reference: '', exchange_rate: '' }));
      setProblem(none);
      onAdded();
    },
    onError: (error) => setProblem(mapProblem(error, ['reference', 'charges.0.amount', 'charges.0.currency', 'charges.0.exchange_rate', 'charges.0.method'])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const amount = parseMoneyInput(form.amount);
    if (!amount.ok) return setProblem({ byField: { 'charges.0.amount': amount.message }, general: [] });
    const currency = form.currency.trim().toUpperCase();
    const charge = {
      kind: form.kind,
      amount: amount.value,
      method: form.method,
      ...(currency && currency !== base ? { currency } : {}),
      ...(currency !== base && form.exchange_rate.trim() ? { exchange_rate: form.exchange_rate.trim() } : {}),
    };
    add.mutate({ ...(form.reference.trim() ? { reference: form.reference.trim() } : {}), charges: [charge] });
  };
  const foreign = form.currency.trim().toUpperCase() !== base;
  return (
    <form className="form subform" onSubmit={submit} noValidate aria-label="Add a landed cost">
      <h3>Add a charge</h3>
      <FormErrors messages={problem.general} />
      <div className="grid-3">
        <SelectField label="Kind" value={form.kind} onValue={set('kind')} options={KINDS} />
        <TextField label="Amount" value={form.amount} onValue={set('amount')} inputMode="decimal" error={problem.byField['charges.0.amount']} />
        <TextField label="Currency" value={form.currency} onValue={set('currency')} maxLength={3} error={problem.byField['charges.0.currency']} />
        {foreign && <TextField label={`${base} per unit`} value={form.exchange_rate} onValue={set('exchange_rate')} hint="Empty: the rate on file for the day" error={problem.byField['charges.0.exchange_rate']} />}
        <SelectField label="Spread over the lines" value={form.method} onValue={set('method')} options={METHODS} />
        <TextField label="Bill reference" value={form.reference} onValue={set('reference')} error={problem.byField.reference} />
      </div>
      <button type="submit" className="primary" disabled={add.isPending}>
        Add charge
      </button>
    </form>
  );
}
