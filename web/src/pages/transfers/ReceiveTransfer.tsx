import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import { CheckField, ErrorBanner, FormErrors, PageHeader, TextField } from '../../components/ui.tsx';
import { formatQty, parseQuantityInput } from '../../lib/decimal.ts';
import { useTransfer, type Transfer, type TransferLine } from './types.ts';

const none: MappedProblem = { byField: {}, general: [] };

/**
 * Receiving a transfer at the destination: per line, the good units counted and the damaged
 * ones. What differs from what is in transit is shown as it is typed (short, over, damaged) and
 * flagged by the server on posting; damaged units go to scrap.
 */
export function ReceiveTransferPage() {
  const { id = '' } = useParams();
  const transfer = useTransfer(id);
  const t = transfer.data;
  if (!t) return <ErrorBanner error={transfer.error} />;
  return <ReceiveForm transfer={t} />;
}

function ReceiveForm({ transfer: t }: { transfer: Transfer }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const open = t.lines.filter((l) => l.qty_in_transit > 0);
  const [counts, setCounts] = useState<Record<string, { good: string; damaged: string }>>(() =>
    Object.fromEntries(open.map((l) => [l.id, { good: formatQty(l.qty_in_transit), damaged: '0' }])),
  );
  const [close, setClose] = useState(false);
  const [problem, setProblem] = useState<MappedProblem>(none);
  const [key] = useState(() => newIdempotencyKey('trr'));
  const fields = open.flatMap((_, i) => [`lines.${i}.qty`, `lines.${i}.damaged_qty`]);
  const receive = useMutation({
    mutationFn: (body: unknown) => api.post<Transfer>(`/api/v1/transfers/${t.id}/receive`, body, { idempotencyKey: key }),
    onSuccess: (next) => {
      qc.setQueryData(['transfer', t.id], next);
      void qc.invalidateQueries({ queryKey: ['transfers'] });
      navigate(`/stock/transfers/${t.id}`);
    },
    onError: (e) => setProblem(mapProblem(e, fields)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const byField: Record<string, string> = {};
    const lines = open.map((l, i) => {
      const good = parseQuantityInput(counts[l.id]!.good, { allowZero: true });
      const damaged = parseQuantityInput(counts[l.id]!.damaged, { allowZero: true });
      if (!good.ok) byField[`lines.${i}.qty`] = good.message;
      if (!damaged.ok) byField[`lines.${i}.damaged_qty`] = damaged.message;
      return { line_id: l.id, qty: good.ok ? good.value : 0, damaged_qty: damaged.ok ? damaged.value : 0 };
    });
    if (Object.keys(byField).length) return setProblem({ byField, general: [] });
    setProblem(none);
    receive.mutate({ lines, close: close || undefined });
  };
  return (
    <section>
      <PageHeader title={`Receive ${t.number}`}>
        <p>
          From {t.source_site.name} into {t.destination_bin.code}. Up to {t.over_tolerance}% more than shipped is accepted and flagged.
        </p>
      </PageHeader>
      <form onSubmit={submit} className="form">
        <FormErrors messages={problem.general} />
        <table data-testid="receive-lines">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">In transit</th>
              <th scope="col">Good</th>
              <th scope="col">Damaged</th>
              <th scope="col">Difference</th>
            </tr>
          </thead>
          <tbody>
            {open.map((l, i) => (
              <ReceiveRow
                key={l.id}
                line={l}
                value={counts[l.id]!}
                onValue={(v) => setCounts((c) => ({ ...c, [l.id]: v }))}
                errors={{ good: problem.byField[`lines.${i}.qty`], damaged: problem.byField[`lines.${i}.damaged_qty`] }}
              />
            ))}
          </tbody>
        </table>
        <CheckField label="Close the transfer: write off anything still missing" checked={close} onValue={setClose} />
        <button type="submit" className="primary" disabled={receive.isPending || open.length === 0}>
          {receive.isPending ? 'Posting…' : 'Post receipt'}
        </button>
      </form>
    </section>
  );
}

function ReceiveRow({ line, value, onValue, errors }: { line: TransferLine; value: { good: string; damaged: string }; onValue(v: { good: string; damaged: string }): void; errors: { good?: string; damaged?: string } }) {
  const good = parseQuantityInput(value.good, { allowZero: true });
  const damaged = parseQuantityInput(value.damaged, { allowZero: true });
  const difference = good.ok && damaged.ok ? Math.round((good.value + damaged.value - line.qty_in_transit) * 1000) / 1000 : null;
  return (
    <tr className={difference !== 0 || (damaged.ok && damaged.value > 0) ? 'highlight' : undefined}>
      <td>
        {line.name} <span className="muted mono">{line.sku}</span>
        {line.in_transit.some((x) => x.lot_code) && <div className="muted">{line.in_transit.map((x) => `${x.lot_code} × ${formatQty(x.qty)}`).join(', ')}</div>}
      </td>
      <td className="num">{formatQty(line.qty_in_transit)}</td>
      <td>
        <TextField label={`Good ${line.sku}`} inputMode="decimal" value={value.good} onValue={(v) => onValue({ ...value, good: v })} error={errors.good} />
      </td>
      <td>
        <TextField label={`Damaged ${line.sku}`} inputMode="decimal" value={value.damaged} onValue={(v) => onValue({ ...value, damaged: v })} error={errors.damaged} />
      </td>
      <td data-testid={`difference-${line.sku}`}>
        {difference === null ? '' : difference < 0 ? `short ${formatQty(-difference)}` : difference > 0 ? `over ${formatQty(difference)}` : 'as shipped'}
        {damaged.ok && damaged.value > 0 ? `, ${formatQty(damaged.value)} damaged` : ''}
      </td>
    </tr>
  );
}
