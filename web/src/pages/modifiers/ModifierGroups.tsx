import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Item } from '../../api/types.ts';
import { useSettings, useSignedIn } from '../../auth/session.tsx';
import { ItemSearch } from '../../components/ItemSearch.tsx';
import { CheckField, Empty, ErrorBanner, FormErrors, Loading, PageHeader, SelectField, TextField } from '../../components/ui.tsx';
import { formatMoney, formatQty, isZeroMoney, parseMoneyInput, parseQuantityInput } from '../../lib/decimal.ts';
import { itemLabel, useItemsById } from '../../lib/items.ts';
import { ListTable } from '../../components/ListTable.tsx';

export interface ModifierGroupDetail {
  id: string;
  name: string;
  selection: 'single' | 'multiple';
  required: boolean;
  min: number;
  max: number | null;
  status: 'active' | 'archived';
  modifiers: Array<{ id: string; name: string; price_delta: string; components: Array<{ item_id: string | null; qty: number | null; replaces_item_id: string | null }> }>;
}

const none: MappedProblem = { byField: {}, general: [] };

/** Modifier groups ("Milk": oat, soy; "Extras": extra shot): what a till offers with an item, its price and what it consumes. */
export function ModifierGroupsPage() {
  const session = useSignedIn();
  const [adding, setAdding] = useState(false);
  const groups = useQuery({ queryKey: ['modifier-groups'], queryFn: () => api.get<{ data: ModifierGroupDetail[] }>('/api/v1/modifier-groups') });
  const rows = groups.data?.data ?? [];
  return (
    <section>
      <PageHeader
        title="Modifiers"
        actions={
          session.can('items.write') && (
            <button type="button" className="primary" onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
              New modifier group
            </button>
          )
        }
      >
        <p className="subtitle">Choices rung up with an item at the counter. Attach a group to an item on the item's page.</p>
      </PageHeader>
      {adding && <ModifierGroupForm onDone={() => setAdding(false)} />}
      <ErrorBanner error={groups.error} />
      {groups.isPending ? <Loading /> : rows.length === 0 ? <Empty>No modifier groups yet.</Empty> : rows.map((g) => <ModifierGroupCard key={g.id} group={g} />)}
    </section>
  );
}

function ruleOf(g: Pick<ModifierGroupDetail, 'selection' | 'required' | 'min' | 'max'>): string {
  if (g.selection === 'single') return g.required ? 'choose one' : 'choose at most one';
  const max = g.max === null ? 'any number' : `up to ${g.max}`;
  return g.min > 0 ? `at least ${g.min}, ${max}` : max;
}

function ModifierGroupCard({ group: g }: { group: ModifierGroupDetail }) {
  const currency = useSettings().base_currency;
  const items = useItemsById(g.modifiers.flatMap((m) => m.components.flatMap((c) => [c.item_id, c.replaces_item_id].filter((id): id is string => id !== null))));
  const name = (id: string) => <Link to={`/items/${id}`}>{itemLabel(items.get(id), id)}</Link>;
  return (
    <div className="card" data-testid={`modifier-group-${g.name}`}>
      <h2>
        {g.name} <span className="muted">· {ruleOf(g)}</span>
      </h2>
      <ListTable exportName={`modifier-group-${g.name}`}>
        <thead>
          <tr>
            <th scope="col">Modifier</th>
            <th scope="col" className="num">
              Price change
            </th>
            <th scope="col">Stock it uses, per unit sold</th>
          </tr>
        </thead>
        <tbody>
          {g.modifiers.map((m) => (
            <tr key={m.id}>
              <td>{m.name}</td>
              <td className="num">{isZeroMoney(m.price_delta) ? '—' : formatMoney(m.price_delta, currency)}</td>
              <td>
                {m.components.length === 0
                  ? '—'
                  : m.components.map((c, i) => (
                      <div key={i}>
                        {c.item_id && (
                          <>
                            {c.qty !== null ? `${formatQty(c.qty, items.get(c.item_id)?.base_unit)} of ` : ''}
                            {name(c.item_id)}
                          </>
                        )}
                        {c.replaces_item_id && (
                          <>
                            {c.item_id ? ' instead of ' : 'without '}
                            {name(c.replaces_item_id)}
                          </>
                        )}
                      </div>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </ListTable>
    </div>
  );
}

interface ModifierRow {
  name: string;
  price: string;
  uses: Item | null;
  qty: string;
  replaces: Item | null;
}

const emptyRow = (): ModifierRow => ({ name: '', price: '0', uses: null, qty: '', replaces: null });

function ModifierGroupForm({ onDone }: { onDone(): void }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({ name: '', selection: 'single' as 'single' | 'multiple', required: false, max: '' });
  const [rows, setRows] = useState<ModifierRow[]>([emptyRow()]);
  const [problem, setProblem] = useState(none);
  const setRow = (i: number, patch: Partial<ModifierRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = useMutation({
    mutationFn: (body: unknown) => api.post<ModifierGroupDetail>('/api/v1/modifier-groups', body),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['modifier-groups'] });
      onDone();
    },
    onError: (error) => setProblem(mapProblem(error, ['name', 'selection', 'max', 'modifiers'])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const built = buildBody(form, rows);
    if ('error' in built) setProblem({ byField: {}, general: [built.error] });
    else save.mutate(built.body);
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="New modifier group">
      <h2>New modifier group</h2>
      <FormErrors messages={problem.general} />
      <div className="grid-3">
        <TextField label="Group name" value={form.name} onValue={(name) => setForm((f) => ({ ...f, name }))} error={problem.byField.name} placeholder="Milk" />
        <SelectField
          label="Choice"
          value={form.selection}
          onValue={(v) => setForm((f) => ({ ...f, selection: v as 'single' | 'multiple' }))}
          options={[
            { value: 'single', label: 'One of them' },
            { value: 'multiple', label: 'Several' },
          ]}
        />
        {form.selection === 'multiple' && <TextField label="At most" value={form.max} onValue={(max) => setForm((f) => ({ ...f, max }))} error={problem.byField.max} inputMode="numeric" hint="Leave empty for no limit" />}
      </div>
      <CheckField label="The cashier must choose" checked={form.required} onValue={(required) => setForm((f) => ({ ...f, required }))} />
      {rows.map((r, i) => (
        <fieldset key={i} className="subform">
          <legend>Modifier {i + 1}</legend>
          <div className="grid-3">
            <TextField label="Name" value={r.name} onValue={(name) => setRow(i, { name })} placeholder="Oat milk" />
            <TextField label="Price change" value={r.price} onValue={(price) => setRow(i, { price })} inputMode="decimal" hint="Negative for a cheaper option" />
            <TextField label="Quantity used" value={r.qty} onValue={(qty) => setRow(i, { qty })} inputMode="decimal" hint="Per unit sold; empty to use what it replaces" />
          </div>
          <div className="grid-2">
            <div>
              <ItemSearch label={r.uses ? `Uses: ${r.uses.sku} ${r.uses.name}` : 'Uses item (optional)'} onPick={(uses) => setRow(i, { uses })} />
            </div>
            <div>
              <ItemSearch label={r.replaces ? `Instead of: ${r.replaces.sku} ${r.replaces.name}` : 'Instead of a component (optional)'} onPick={(replaces) => setRow(i, { replaces })} />
            </div>
          </div>
          {rows.length > 1 && (
            <button type="button" className="ghost" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
              Remove modifier
            </button>
          )}
        </fieldset>
      ))}
      <div className="form-actions">
        <button type="button" onClick={() => setRows((rs) => [...rs, emptyRow()])}>
          Add another modifier
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          Create group
        </button>
        <button type="button" className="ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The request body, or the first thing wrong with the form, said the way the cashier's manager would fix it. */
export function buildBody(form: { name: string; selection: 'single' | 'multiple'; required: boolean; max: string }, rows: readonly ModifierRow[]): { body: unknown } | { error: string } {
  const modifiers = [];
  for (const [i, r] of rows.entries()) {
    const price = parseMoneyInput(r.price || '0', { allowNegative: true });
    if (!price.ok) return { error: `Modifier ${i + 1}: price change — ${price.message}` };
    const component: Record<string, unknown> = {};
    if (r.uses) component.item_id = r.uses.id;
    if (r.replaces) component.replaces_item_id = r.replaces.id;
    if (r.qty.trim() !== '') {
      const qty = parseQuantityInput(r.qty);
      if (!qty.ok) return { error: `Modifier ${i + 1}: quantity used — ${qty.message}` };
      component.qty = qty.value;
    } else if (r.uses && !r.replaces) return { error: `Modifier ${i + 1}: say how much of ${r.uses.name} it uses` };
    modifiers.push({ name: r.name.trim(), price_delta: price.value, components: Object.keys(component).length > 0 ? [component] : [] });
  }
  const max = form.max.trim();
  if (max !== '' && !/^\d+$/.test(max)) return { error: '“At most” must be a whole number' };
  return {
    body: {
      name: form.name.trim(),
      selection: form.selection,
      required: form.required,
      ...(form.selection === 'multiple' && max !== '' ? { max: Number(max) } : {}),
      modifiers,
    },
  };
}
