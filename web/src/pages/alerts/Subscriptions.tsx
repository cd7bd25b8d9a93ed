import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { AlertChannel, AlertRuleName, AlertSubscription } from '../../api/types.ts';
import { useLocations } from '../../auth/session.tsx';
import { ErrorBanner, SelectField } from '../../components/ui.tsx';
import { CHANNEL_LABELS, CHANNELS, RULE_LABELS, RULES } from './rules.ts';

/**
 * Which alerts reach you, where and how: one row per rule, one box per channel, for the site
 * chosen above the grid ("every site" covers the sites you are granted, now and later). Email can
 * go in the morning digest instead of one message each.
 */
export function SubscriptionGrid() {
  const qc = useQueryClient();
  const { sites } = useLocations();
  const [siteId, setSiteId] = useState('');
  const query = useQuery({ queryKey: ['alert-subscriptions'], queryFn: () => api.get<{ data: AlertSubscription[] }>('/api/v1/alert-subscriptions') });
  const refresh = () => qc.invalidateQueries({ queryKey: ['alert-subscriptions'] });
  const add = useMutation({
    mutationFn: (body: { rule: AlertRuleName; channel: AlertChannel; digest?: boolean }) => api.post('/api/v1/alert-subscriptions', { ...body, site_id: siteId || null }),
    onSuccess: refresh,
  });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/api/v1/alert-subscriptions/${id}`), onSuccess: refresh });
  const subs = (query.data?.data ?? []).filter((s) => (s.site_id ?? '') === siteId);
  const find = (rule: AlertRuleName, channel: AlertChannel) => subs.find((s) => s.rule === rule && s.channel === channel);
  const toggle = (rule: AlertRuleName, channel: AlertChannel, on: boolean, digest = false) => {
    const current = find(rule, channel);
    if (current) remove.mutate(current.id, { onSuccess: () => on && add.mutate({ rule, channel, digest }) });
    else if (on) add.mutate({ rule, channel, digest });
  };
  return (
    <section aria-labelledby="subs-title">
      <h2 id="subs-title">What you hear about</h2>
      <SelectField label="Site" value={siteId} onValue={setSiteId} options={[{ value: '', label: 'Every site you are granted' }, ...sites.map((s) => ({ value: s.id, label: s.name }))]} />
      <ErrorBanner error={query.error ?? add.error ?? remove.error} />
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Alert</th>
            {CHANNELS.map((c) => (
              <th scope="col" key={c}>
                {CHANNEL_LABELS[c]}
              </th>
            ))}
            <th scope="col">Email as a morning digest</th>
          </tr>
        </thead>
        <tbody>
          {RULES.map((rule) => {
            const email = find(rule, 'email');
            return (
              <tr key={rule}>
                <th scope="row">{RULE_LABELS[rule]}</th>
                {CHANNELS.map((channel) => (
                  <td key={channel}>
                    <input type="checkbox" aria-label={`${RULE_LABELS[rule]} by ${CHANNEL_LABELS[channel]}`} checked={!!find(rule, channel)} onChange={(e) => toggle(rule, channel, e.target.checked, email?.digest ?? false)} />
                  </td>
                ))}
                <td>
                  <input type="checkbox" aria-label={`${RULE_LABELS[rule]} in the digest`} disabled={!email} checked={email?.digest ?? false} onChange={(e) => toggle(rule, 'email', true, e.target.checked)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
