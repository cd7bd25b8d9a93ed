import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Item } from '../../api/types.ts';
import { ErrorBanner } from '../../components/ui.tsx';

export function ArchiveButton({ item }: { item: Item }) {
  const qc = useQueryClient();
  const action = item.status === 'active' ? 'archive' : 'unarchive';
  const m = useMutation({
    mutationFn: () => api.post<Item>(`/api/v1/items/${item.id}/${action}`),
    onSuccess: (updated) => {
      qc.setQueryData(['item', item.id], updated);
      void qc.invalidateQueries({ queryKey: ['items'] });
    },
  });
  return (
    <>
      <button type="button" onClick={() => m.mutate()} disabled={m.isPending}>
        {action === 'archive' ? 'Archive' : 'Bring back'}
      </button>
      <ErrorBanner error={m.error} />
    </>
  );
}
