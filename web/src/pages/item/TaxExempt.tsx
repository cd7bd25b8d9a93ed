import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';

/**
 * The item form's "exempt from tax" flag. It lives in the tax module (`PUT /api/v1/items/{id}/tax`),
 * so it is saved after the item itself, and only when it changed.
 */
export function useTaxExempt(itemId: string | undefined) {
  const canWrite = useSignedIn().can('tax.write');
  const stored = useQuery({ queryKey: ['item-tax', itemId], queryFn: () => api.get<{ exempt: boolean }>(`/api/v1/items/${itemId}/tax`), enabled: Boolean(itemId) });
  const [exempt, setExempt] = useState(false);
  useEffect(() => {
    if (stored.data) setExempt(stored.data.exempt);
  }, [stored.data]);
  const was = stored.data?.exempt ?? false;
  return {
    exempt,
    setExempt,
    canWrite,
    /** Writes the flag for the saved item when it changed. */
    save: async (savedId: string) => {
      if (canWrite && exempt !== was) await api.put(`/api/v1/items/${savedId}/tax`, { exempt });
    },
  };
}

export function TaxExemptField({ exempt, onChange, disabled }: { exempt: boolean; onChange(v: boolean): void; disabled: boolean }) {
  return (
    <label className="field">
      <span>
        <input type="checkbox" checked={exempt} disabled={disabled} onChange={(e) => onChange(e.target.checked)} /> Exempt from tax
      </span>
      <small className="muted">Sold without tax at every store, whatever the tax rules say.</small>
    </label>
  );
}
