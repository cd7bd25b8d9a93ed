import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Item, Page, StockLevel } from '../../api/types.ts';
import { useLocations, useSignedIn } from '../../auth/session.tsx';
import { parseQuantityInput } from '../../lib/decimal.ts';

/** The item's min and max at each site, editable in place by someone who may buy. */
export function ItemLevels({ item }: { item: Item }) {
  const session = useSignedIn();
  const { sites } = useLocations();
  const qc = useQueryClient();
  const levels = useQuery({ queryKey: ['stock-levels', item.id], queryFn: () => api.get<Page<StockLevel>>('/api/v1/stock-levels', { item_id: item.id, limit: 500 }) });
  const bySite = new Map((levels.data?.data ?? []).filter((l) => l.location_id === l.site_id).map((l) => [l.site_id, l]));
  const [edits, setEdits] = useState<Record<string, { min: string; max: string }>>({});
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: ({ siteId, min, max }: { siteId: string; min: number; max: number }) => api.put<StockLevel>(`/api/v1/stock-levels/${item.id}/${siteId}`, { min, max }),
    onSuccess: () => {
      setError(null);
      void qc.invalidateQueries({ queryKey: ['stock-levels', item.id] });
    },
    onError: (e) => setError(e instanceof Error ? e.message : String(e)),
  });
  const canEdit = session.can('purchasing.write');
  return (
    <div className="card" data-testid="item-levels">
      <h2>Min and max per site</h2>
      {error && <p className="field-error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">Site</th>
            <th scope="col" className="num">
              Min
            </th>
            <th scope="col" className="num">
              Max
            </th>
            <th scope="col">Set by</th>
            {canEdit && <th scope="col" />}
          </tr>
        </thead>
        <tbody>
          {sites.map((s) => {
            const level = bySite.get(s.id);
            const e = edits[s.id] ?? { min: level?.min != null ? String(level.min) : '', max: level?.max != null ? String(level.max) : '' };
            const set = (patch: Partial<typeof e>) => setEdits((x) => ({ ...x, [s.id]: { ...e, ...patch } }));
            const onSave = () => {
              const lo = parseQuantityInput(e.min, { allowZero: true });
              const hi = parseQuantityInput(e.max, { allowZero: true });
              if (!lo.ok || !hi.ok) return setError(`${s.name}: ${!lo.ok ? lo.message : !hi.ok ? hi.message : ''}`);
              save.mutate({ siteId: s.id, min: lo.value, max: hi.value });
            };
            return (
              <tr key={s.id}>
                <td>{s.name}</td>
                <td className="num">{canEdit ? <input className="qty-input" inputMode="decimal" aria-label={`Min at ${s.name}`} value={e.min} onChange={(v) => set({ min: v.target.value })} /> : (level?.min ?? '—')}</td>
                <td className="num">{canEdit ? <input className="qty-input" inputMode="decimal" aria-label={`Max at ${s.name}`} value={e.max} onChange={(v) => set({ max: v.target.value })} /> : (level?.max ?? '—')}</td>
                <td className="muted">{level ? `${level.source}${level.delivered_daily ? ', delivered daily' : ''}` : 'no level'}</td>
                {canEdit && (
                  <td>
                    <button type="button" className="ghost" disabled={save.isPending} onClick={onSave}>
                      Save
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
