import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client.ts';
import { mapProblem } from '../../api/problem.ts';
import { useLocationLabel, useSignedIn } from '../../auth/session.tsx';
import { Empty, ErrorBanner, Loading, PageHeader, Qty, ShowMore } from '../../components/ui.tsx';
import { parseQuantityInput } from '../../lib/decimal.ts';
import type { Channel, ChannelAvailability } from './types.ts';

/** What a channel can sell now, item by item, and the safety stock held back from it. */
export function ChannelStockPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const label = useLocationLabel();
  const channel = useQuery({ queryKey: ['channels', id], queryFn: () => api.get<Channel>(`/api/v1/channels/${id}`) });
  const availability = useInfiniteQuery({
    queryKey: ['channels', id, 'availability'],
    queryFn: ({ pageParam }) => api.get<{ data: ChannelAvailability[]; next_cursor: string | null }>(`/api/v1/channels/${id}/availability`, { limit: 500, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = availability.data?.pages.flatMap((p) => p.data) ?? [];
  const canEdit = session.can('channels.write');
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
      <ErrorBanner error={channel.error ?? availability.error} />
      {availability.isPending ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty>Nothing in stock at this channel's sites.</Empty>
      ) : (
        <table data-testid="channel-availability">
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                Spare at its sites
              </th>
              <th scope="col" className="num">
                Held back
              </th>
              <th scope="col" className="num">
                Available
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.item_id}>
                <td className="mono">{row.sku}</td>
                <td>
                  <Link to={`/items/${row.item_id}`}>{row.name}</Link> {row.bundle && <span className="badge">bundle</span>}
                </td>
                <td className="num">
                  <Qty value={row.on_hand_available} />
                </td>
                <td className="num">{canEdit ? <BufferField channelId={id} row={row} /> : <Qty value={row.buffer} />}</td>
                <td className="num">
                  <Qty value={row.available} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ShowMore query={availability} />
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
