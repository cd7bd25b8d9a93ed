import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Item } from '../../api/types.ts';
import { useSettings, useSignedIn } from '../../auth/session.tsx';
import { CheckField, ErrorBanner } from '../../components/ui.tsx';
import { formatMoney, isZeroMoney } from '../../lib/decimal.ts';
import type { ModifierGroupDetail } from '../modifiers/ModifierGroups.tsx';
import type { ModifierGroup } from '../selling/types.ts';

/**
 * The modifier groups the till offers with the item (read from their own route: the item itself
 * does not carry them), and for those who may change items, the choice of which.
 */
export function ItemModifierGroups({ item }: { item: Item }) {
  const currency = useSettings().base_currency;
  const session = useSignedIn();
  const [editing, setEditing] = useState(false);
  const groups = useQuery({
    queryKey: ['item-modifier-groups', item.id],
    queryFn: () => api.get<{ data: ModifierGroup[] }>(`/api/v1/items/${item.id}/modifier-groups`),
    staleTime: 60_000,
  });
  const rows = groups.data?.data ?? [];
  const canEdit = session.can('items.write');
  if (rows.length === 0 && !canEdit) return null;
  return (
    <div data-testid="item-modifiers">
      <h3>Modifiers</h3>
      {rows.map((g) => (
        <p key={g.id}>
          <strong>{g.name}</strong>
          {g.required ? ' (required)' : ''}
          {g.selection === 'single' ? ', choose one' : ''}: {g.modifiers.map((m) => `${m.name}${isZeroMoney(m.price_delta) ? '' : ` (+${formatMoney(m.price_delta, currency)})`}`).join(', ')}
        </p>
      ))}
      {rows.length === 0 && <p className="muted">None offered with this item.</p>}
      {canEdit &&
        (editing ? (
          <ChooseGroups item={item} current={rows.map((g) => g.id)} onDone={() => setEditing(false)} />
        ) : (
          <button type="button" onClick={() => setEditing(true)}>
            Choose modifier groups
          </button>
        ))}
    </div>
  );
}

function ChooseGroups({ item, current, onDone }: { item: Item; current: string[]; onDone(): void }) {
  const qc = useQueryClient();
  const [chosen, setChosen] = useState<string[]>(current);
  const all = useQuery({ queryKey: ['modifier-groups'], queryFn: () => api.get<{ data: ModifierGroupDetail[] }>('/api/v1/modifier-groups') });
  const save = useMutation({
    mutationFn: () => api.put<{ data: ModifierGroup[] }>(`/api/v1/items/${item.id}/modifier-groups`, { group_ids: chosen }),
    onSuccess: (next) => {
      qc.setQueryData(['item-modifier-groups', item.id], next);
      onDone();
    },
  });
  const toggle = (id: string, on: boolean) => setChosen((c) => (on ? [...c, id] : c.filter((x) => x !== id)));
  const groups = (all.data?.data ?? []).filter((g) => g.status === 'active');
  return (
    <fieldset className="subform" aria-label="Modifier groups offered">
      <legend>Offered with {item.name}, in this order</legend>
      <ErrorBanner error={all.error ?? save.error} />
      {groups.length === 0 && (
        <p>
          No modifier groups yet: <Link to="/items/modifiers">make one</Link>.
        </p>
      )}
      {groups.map((g) => (
        <CheckField key={g.id} label={g.name} checked={chosen.includes(g.id)} onValue={(on) => toggle(g.id, on)} />
      ))}
      <div className="form-actions">
        <button type="button" className="primary" onClick={() => save.mutate()} disabled={save.isPending}>
          Save
        </button>
        <button type="button" className="ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}
