import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, newIdempotencyKey } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Item } from '../../api/types.ts';
import { useLocations, useSignedIn, useSite } from '../../auth/session.tsx';
import { ItemSearch } from '../../components/ItemSearch.tsx';
import { CheckField, FormErrors, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import { parseQuantityInput } from '../../lib/decimal.ts';
import { grantedSide, type Transfer } from './types.ts';

interface Line {
  item: Item;
  qty: string;
}

const none: MappedProblem = { byField: {}, general: [] };

/**
 * A new transfer. From a site the person is granted it is sent at once (allocated and reserved);
 * to a site they are granted but from one they are not, it is a request the source accepts.
 */
export function NewTransferPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const { sites } = useLocations();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const warehouse = sites.find((s) => s.site_type === 'warehouse');
  const [from, setFrom] = useState(warehouse?.id ?? '');
  const [to, setTo] = useState(siteId && siteId !== warehouse?.id ? siteId : '');
  const [request, setRequest] = useState(false);
  const [note, setNote] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const [problem, setProblem] = useState<MappedProblem>(none);
  const [key] = useState(() => newIdempotencyKey('trf'));
  const fields = ['source_site_id', 'destination_site_id', 'lines', ...lines.map((_, i) => `lines.${i}.qty`)];
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<Transfer>('/api/v1/transfers', body, { idempotencyKey: key }),
    onSuccess: (t) => {
      void qc.invalidateQueries({ queryKey: ['transfers'] });
      navigate(`/stock/transfers/${t.id}`);
    },
    onError: (e) => setProblem(mapProblem(e, fields)),
  });
  const siteOptions = [{ value: '', label: 'Choose…' }, ...sites.map((s) => ({ value: s.id, label: s.name }))];
  const onlyAsking = from !== '' && !grantedSide(session.sites, from);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const byField: Record<string, string> = {};
    const parsed = lines.map((l, i) => {
      const q = parseQuantityInput(l.qty);
      if (!q.ok) byField[`lines.${i}.qty`] = q.message;
      return { item_id: l.item.id, qty: q.ok ? q.value : 0 };
    });
    if (!from) byField.source_site_id = 'choose where the stock comes from';
    if (!to) byField.destination_site_id = 'choose where it goes';
    if (lines.length === 0) byField.lines = 'add at least one item';
    if (Object.keys(byField).length) return setProblem({ byField, general: [] });
    setProblem(none);
    create.mutate({ source_site_id: from, destination_site_id: to, request: request || undefined, note: note || undefined, lines: parsed });
  };

  return (
    <section>
      <PageHeader title="New transfer" />
      <form onSubmit={submit} className="form">
        <FormErrors messages={problem.general} />
        <SelectField label="From" value={from} onValue={setFrom} options={siteOptions} error={problem.byField.source_site_id} />
        <SelectField label="To" value={to} onValue={setTo} options={siteOptions} error={problem.byField.destination_site_id} />
        {onlyAsking ? (
          <p className="muted">You are not granted this site: the transfer goes to it as a request, and its staff accept and ship it.</p>
        ) : (
          <CheckField label="Only ask for it (the source accepts it later)" checked={request} onValue={setRequest} />
        )}
        <ItemSearch label="Add an item" stockedOnly onPick={(item) => setLines((ls) => (ls.some((l) => l.item.id === item.id) ? ls : [...ls, { item, qty: '1' }]))} />
        {problem.byField.lines && <p className="field-error">{problem.byField.lines}</p>}
        <ul className="plain" data-testid="transfer-new-lines">
          {lines.map((l, i) => (
            <li key={l.item.id} className="line-row">
              <span>
                {l.item.name} <span className="muted mono">{l.item.sku}</span>
              </span>
              <TextField
                label={`Quantity (${l.item.base_unit})`}
                inputMode="decimal"
                value={l.qty}
                onValue={(v) => setLines((ls) => ls.map((x, j) => (j === i ? { ...x, qty: v } : x)))}
                error={problem.byField[`lines.${i}.qty`]}
              />
              <button type="button" className="ghost" onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))} aria-label={`Remove ${l.item.name}`}>
                ✕
              </button>
            </li>
          ))}
        </ul>
        <TextField label="Note" value={note} onValue={setNote} />
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Saving…' : request || onlyAsking ? 'Send the request' : 'Create and reserve stock'}
        </button>
      </form>
    </section>
  );
}
