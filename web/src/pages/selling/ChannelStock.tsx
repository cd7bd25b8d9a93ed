import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import { mapProblem } from '../../api/problem.ts';
import { useLocationLabel, useSignedIn } from '../../auth/session.tsx';
import { PagedList, type Column } from '../../components/PagedList.tsx';
import { ErrorBanner, PageHeader, Qty } from '../../components/ui.tsx';
import { parseQuantityInput } from '../../lib/decimal.ts';
import type { Channel, ChannelAvailability } from './types.ts';

/** What a channel can sell now, item by item, and the safety stock held back from it. */
export function ChannelStockPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const label = useLocationLabel();
  const channel = useQuery({ queryKey: ['channels', id], queryFn: () => api.get<Channel>(`/api/v1/channels/${id}`) });
  const canEdit = session.can('channels.write');
  const columns: Column<ChannelAvailability>[] = [
    { key: 'sku', header: 'SKU', cell: (row) => <span className="mono">{row.sku}</span> },
    {
      key: 'item',
      header: 'Item',
      cell: (row) => (
        <>
          <Link to={`/items/${row.item_id}`}>{row.name}</Link> {row.bundle && <span className="badge">bundle</span>}
        </>
      ),
    },
    { key: 'spare', header: 'Spare at its sites', num: true, cell: (row) => <Qty value={row.on_hand_available} /> },
    { key: 'held', header: 'Held back', num: true, cell: (row) => (canEdit ? <BufferField channelId={id} row={row} /> : <Qty value={row.buffer} />) },
    { key: 'available', header: 'Available', num: true, cell: (row) => <Qty value={row.available} /> },
  ];
  return (
    <section>
      <PageHeader title={channel.data ? `${channel.data.name}: what it can sell` : 'Channel stock'}>
        <p className="subtitle">
          {channel.data && <>Sells from {channel.data.site_ids.map(label).join(' → ')}. </>}
          Available is what the stock bins there have to spare, less what is held back for this channel. A bundle or recipe counts the whole units its
          parts allow.
        </p>
      </PageHeader>
      <p>
        <Link to="/selling/channels">All channels</Link>
      </p>
      <ErrorBanner error={channel.error} />
      <PagedList<ChannelAvailability>
        noun="items"
        queryKey={['channels', id, 'availability']}
        sources={{ path: `/api/v1/channels/${id}/availability` }}
        columns={columns}
        rowKey={(row) => row.item_id}
        pageSize={500}
        empty="Nothing in stock at this channel's sites."
        testId="channel-availability"
      />
    </section>
  );
}

function BufferField({ channelId, row }: { channelId: string; row: ChannelAvailability }) {
  const qc = useQueryClient();
  const [text, setText] = useState(String(row.buffer));
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (qty: number) => api.put(`/api/v1/channels/${channelId}/buffers/${row.item_id}`, { qty }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['channels', channelId, 'availability'] }),
    onError: (e) => {
      const problem = mapProblem(e, ['qty']);
      setError(problem.byField.qty ?? (problem.general.join(' ') || 'Not saved'));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const parsed = parseQuantityInput(text, { allowZero: true });
    if (!parsed.ok) return setError(parsed.message);
    save.mutate(parsed.value);
  };
  const errorId = `buffer-${row.item_id}-error`;
  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      <input
        className="qty-input"
        inputMode="decimal"
        aria-label={`Held back from this channel: ${row.name}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" disabled={save.isPending || text.trim() === String(row.buffer)}>
        Hold back
      </button>
      {error && (
        <div className="field-error" id={errorId} role="alert">
          {error}
        </div>
      )}
    </form>
  );
}
