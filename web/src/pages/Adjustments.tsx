import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, newIdempotencyKey } from '../api/client.ts';
import { mapProblem, type MappedProblem } from '../api/problem.ts';
import type { Adjustment, Item } from '../api/types.ts';
import { useLocationLabel, useSignedIn, useSite } from '../auth/session.tsx';
import { ItemSearch } from '../components/ItemSearch.tsx';
import { LocationSelect } from '../components/LocationSelect.tsx';
import { PagedList, useUrlFilters, type Column } from '../components/PagedList.tsx';
import { ErrorBanner, formatDateTime, FormErrors, PageHeader, Qty, SelectField, TextField } from '../components/ui.tsx';
import { parseMoneyInput, parseQuantityInput } from '../lib/decimal.ts';
import { useItemLabel } from '../lib/items.ts';

export const REASONS = [
  { value: 'found', label: 'Found (adds stock)' },
  { value: 'opening_balance', label: 'Opening balance (adds stock)' },
  { value: 'damaged', label: 'Damaged (to scrap)' },
  { value: 'expired', label: 'Expired (to scrap)' },
  { value: 'theft', label: 'Theft (removes stock)' },
  { value: 'correction', label: 'Correction (either way)' },
] as const;
const SIGN: Record<string, 'in' | 'out' | 'either'> = { found: 'in', opening_balance: 'in', damaged: 'out', expired: 'out', theft: 'out', correction: 'either' };

function AdjustmentLine({ itemId, qty }: { itemId: string; qty: number }) {
  return (
    <div>
      <Qty value={qty} /> × <Link to={`/items/${itemId}`}>{useItemLabel(itemId)}</Link>
    </div>
  );
}

export function AdjustmentsPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const label = useLocationLabel();
  const filters = useUrlFilters();
  const highlight = filters.get('id');
  const columns: Column<Adjustment>[] = [
    { key: 'number', header: 'Number', cell: (a) => <span className="mono">{a.number}</span> },
    { key: 'when', header: 'When', cell: (a) => formatDateTime(a.effective_at) },
    { key: 'where', header: 'Where', cell: (a) => label(a.location_id) },
    { key: 'reason', header: 'Reason', cell: (a) => a.reason.replace(/_/g, ' ') },
    { key: 'lines', header: 'Lines', cell: (a) => a.lines.map((l) => <AdjustmentLine key={`${l.item_id}-${l.qty}`} itemId={l.item_id} qty={l.qty} />) },
    { key: 'note', header: 'Note', cell: (a) => a.note ?? '' },
  ];
  return (
    <section>
      <PageHeader
        title="Adjustments"
        actions={
          session.can('adjustments.write') && (
            <Link className="button primary" to="/stock/adjustments/new">
              New adjustment
            </Link>
          )
        }
      />
      <PagedList<Adjustment>
        noun="adjustments"
        queryKey={['adjustments', 'list', siteId]}
        sources={{ path: '/api/v1/adjustments', query: { location_id: siteId ?? undefined } }}
        columns={columns}
        rowKey={(a) => a.id}
        rowClass={(a) => (a.id === highlight ? 'highlight' : undefined)}
        empty="No adjustments yet."
      />
    </section>
  );
}

interface Line {
  item: Item;
  qty: string;
  unitCost: string;
  lot: string;
}

const none: MappedProblem = { byField: {}, general: [] };

export function NewAdjustmentPage() {
  const session = useSignedIn();
  const { siteId } = useSite();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [location, setLocation] = useState(siteId ?? '');
  const [reason, setReason] = useState<string>('found');
  const [note, setNote] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const [problem, setProblem] = useState(none);
  const [key] = useState(() => newIdempotencyKey('adj'));
  const fields = ['location_id', 'reason', 'note', 'lines', ...lines.flatMap((_, i) => [`lines.${i}.qty`, `lines.${i}.unit_cost`, `lines.${i}.lot_code`, `lines.${i}.item_id`])];
  const save = useMutation({
    mutationFn: (body: unknown) => api.post<Adjustment>('/api/v1/adjustments', body, { idempotencyKey: key }),
    onSuccess: (adj) => {
      void qc.invalidateQueries();
      navigate(`/stock/adjustments?id=${adj.id}`);
    },
    onError: (error) => setProblem(mapProblem(error, fields)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!location) local.location_id = 'Choose where the stock is';
    if (lines.length === 0) local.lines = 'Add at least one item';
    const sign = SIGN[reason];
    const body = {
      location_id: location,
      reason,
      note: note || undefined,
      lines: lines.map((l, i) => {
        const q = parseQuantityInput(l.qty, { allowNegative: true });
        let qty = q.ok ? q.value : 0;
        if (!q.ok) local[`lines.${i}.qty`] = q.message;
        // People type "2" for two damaged; the ledger wants −2 for stock leaving.
        if (sign === 'out' && qty > 0) qty = -qty;
        const cost = l.unitCost.trim() ? parseMoneyInput(l.unitCost) : null;
        if (cost && !cost.ok) local[`lines.${i}.unit_cost`] = cost.message;
        return {
          item_id: l.item.id,
          qty,
          ...(cost?.ok && qty > 0 ? { unit_cost: cost.value } : {}),
          ...(l.lot.trim() ? { lot_code: l.lot.trim() } : {}),
        };
      }),
    };
    if (Object.keys(local).length > 0) {
      setProblem({ byField: local, general: [] });
      return;
    }
    setProblem(none);
    save.mutate(body);
  };
  const update = (i: number, change: Partial<Line>) => setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...change } : l)));
  return (
    <section>
      <PageHeader title="Adjust stock" />
      <form onSubmit={submit} className="card form" noValidate>
        <FormErrors messages={problem.general} />
        <div className="grid-3">
          <LocationSelect label="Where" value={location} onValue={setLocation} error={problem.byField.location_id} />
          <SelectField label="Reason" value={reason} onValue={setReason} options={REASONS} error={problem.byField.reason} />
          <TextField label="Note" value={note} onValue={setNote} error={problem.byField.note} />
        </div>
        <ItemSearch label="Add an item" onPick={(item) => setLines((ls) => [...ls, { item, qty: '1', unitCost: '', lot: '' }])} stockedOnly />
        {problem.byField.lines && <div className="field-error">{problem.byField.lines}</div>}
        {lines.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Quantity ({SIGN[reason] === 'out' ? 'removed' : SIGN[reason] === 'in' ? 'added' : '+ adds, − removes'})</th>
                {session.seesCosts && SIGN[reason] !== 'out' && <th scope="col">Unit cost (optional)</th>}
                <th scope="col">Lot</th>
                <th scope="col">
                  <span className="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l, i) => (
                <tr key={i}>
                  <td>
                    {l.item.name} <span className="muted">{l.item.sku}</span>
                  </td>
                  <td>
                    <TextField label={<span className="sr-only">Quantity of {l.item.name}</span>} inputMode="decimal" value={l.qty} onValue={(v) => update(i, { qty: v })} error={problem.byField[`lines.${i}.qty`]} />
                  </td>
                  {session.seesCosts && SIGN[reason] !== 'out' && (
                    <td>
                      <TextField label={<span className="sr-only">Unit cost of {l.item.name}</span>} inputMode="decimal" value={l.unitCost} onValue={(v) => update(i, { unitCost: v })} error={problem.byField[`lines.${i}.unit_cost`]} />
                    </td>
                  )}
                  <td>
                    {l.item.tracking !== 'none' ? (
                      <TextField label={<span className="sr-only">Lot of {l.item.name}</span>} value={l.lot} onValue={(v) => update(i, { lot: v })} error={problem.byField[`lines.${i}.lot_code`]} />
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <button type="button" className="link" onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))} aria-label={`Remove ${l.item.name}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? 'Posting…' : 'Post adjustment'}
          </button>
        </div>
        <ErrorBanner error={null} />
      </form>
    </section>
  );
}
