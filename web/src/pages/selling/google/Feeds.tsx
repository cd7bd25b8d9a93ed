import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client.ts';
import { useLocationLabel } from '../../../auth/session.tsx';
import { LocationSelect } from '../../../components/LocationSelect.tsx';
import { Empty, ErrorBanner, SelectField, TextField } from '../../../components/ui.tsx';
import type { Channel } from '../types.ts';
import { ListTable } from '../../../components/ListTable.tsx';

interface LocalFeed {
  site_id: string;
  store_code: string;
  channel_id: string;
  updated_at: string;
}

interface ProductFeedSummary {
  issued: boolean;
  listed: number;
  problems: Array<{ item_id: string; sku: string; missing: string[] }>;
}

/** The full address of a feed: the secret is shown once, right after it is issued. */
function FeedAddress({ path }: { path: string | null }) {
  if (!path) return null;
  const url = `${window.location.origin}${path}`;
  return (
    <p data-testid="feed-address">
      Give Merchant Center this address (shown once; issuing a new one retires it): <code className="mono">{url}</code>
    </p>
  );
}

export function LocalFeedsCard({ owner }: { owner: boolean }) {
  const qc = useQueryClient();
  const label = useLocationLabel();
  const feeds = useQuery({ queryKey: ['google-local-feeds'], queryFn: () => api.get<{ data: LocalFeed[] }>('/api/v1/google/local-feeds') });
  const channels = useQuery({ queryKey: ['channels'], queryFn: () => api.get<{ data: Channel[] }>('/api/v1/channels'), enabled: owner });
  const [siteId, setSiteId] = useState('');
  const [storeCode, setStoreCode] = useState('');
  const [channelId, setChannelId] = useState('');
  const [issued, setIssued] = useState<string | null>(null);
  const set = useMutation({
    mutationFn: () => api.post<{ feed_path: string }>('/api/v1/google/local-feeds', { site_id: siteId, store_code: storeCode, channel_id: channelId }),
    onSuccess: (r) => {
      setIssued(r.feed_path);
      void qc.invalidateQueries({ queryKey: ['google-local-feeds'] });
    },
  });
  const ownChannels = (channels.data?.data ?? []).filter((c) => c.site_ids.length === 1 && c.site_ids[0] === siteId);
  const rows = feeds.data?.data ?? [];
  return (
    <div className="card" data-testid="google-local-feeds">
      <h2>Local inventory feeds</h2>
      <ErrorBanner error={feeds.error ?? set.error} />
      {feeds.data && rows.length === 0 && <Empty>No store has a feed yet.</Empty>}
      {rows.length > 0 && (
        <ListTable exportName="google-feeds">
          <thead>
            <tr>
              <th scope="col">Store</th>
              <th scope="col">Store code</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.site_id}>
                <td>{label(f.site_id)}</td>
                <td className="mono">{f.store_code}</td>
                <td>{f.updated_at}</td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
      <FeedAddress path={issued} />
      {owner && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            set.mutate();
          }}
        >
          <div className="row">
            <LocationSelect label="Store" value={siteId} onValue={setSiteId} sitesOnly />
            <TextField label="Store code (Business Profile)" value={storeCode} onValue={setStoreCode} />
            <SelectField label="Channel selling from this store alone" value={channelId} onValue={setChannelId} options={[{ value: '', label: '—' }, ...ownChannels.map((c) => ({ value: c.id, label: c.name }))]} />
          </div>
          <button type="submit" disabled={set.isPending || !siteId || !storeCode || !channelId}>
            Set the feed and issue its address
          </button>
        </form>
      )}
    </div>
  );
}

export function ProductFeedCard({ owner }: { owner: boolean }) {
  const qc = useQueryClient();
  const summary = useQuery({ queryKey: ['google-product-feed'], queryFn: () => api.get<ProductFeedSummary>('/api/v1/google/product-feed') });
  const [issued, setIssued] = useState<string | null>(null);
  const issue = useMutation({
    mutationFn: () => api.post<{ feed_path: string }>('/api/v1/google/product-feed'),
    onSuccess: (r) => {
      setIssued(r.feed_path);
      void qc.invalidateQueries({ queryKey: ['google-product-feed'] });
    },
  });
  const s = summary.data;
  return (
    <div className="card" data-testid="google-product-feed">
      <h2>Product feed</h2>
      <ErrorBanner error={summary.error ?? issue.error} />
      {s && (
        <p>
          {s.listed} item(s) listed on Google (mark items in their edit form). {s.issued ? 'Its address is issued.' : 'No address issued yet.'}
        </p>
      )}
      {s && s.problems.length > 0 && (
        <>
          <p>Listed but left out until they have what Google requires:</p>
          <ul>
            {s.problems.map((p) => (
              <li key={p.item_id}>
                <a href={`/items/${p.item_id}/edit`}>{p.sku}</a>: no {p.missing.map((m) => m.replace('_', ' ')).join(', ')}
              </li>
            ))}
          </ul>
        </>
      )}
      <FeedAddress path={issued} />
      {owner && (
        <button type="button" onClick={() => issue.mutate()} disabled={issue.isPending}>
          {s?.issued ? 'Issue a new address' : 'Issue the address'}
        </button>
      )}
    </div>
  );
}
