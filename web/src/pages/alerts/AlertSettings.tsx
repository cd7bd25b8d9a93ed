import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { AlertRuleSettings } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ErrorBanner, PageHeader } from '../../components/ui.tsx';
import { PreferencesForm } from './Preferences.tsx';
import { RULE_LABELS } from './rules.ts';
import { SubscriptionGrid } from './Subscriptions.tsx';

/** Thresholds for everyone's alerts: shown to all, changed by those who change shop settings. */
function RuleThresholds() {
  const session = useSignedIn();
  const qc = useQueryClient();
  const query = useQuery({ queryKey: ['alert-rules'], queryFn: () => api.get<{ data: AlertRuleSettings[] }>('/api/v1/alert-rules') });
  const change = useMutation({
    mutationFn: ({ rule, body }: { rule: string; body: Record<string, unknown> }) => api.patch(`/api/v1/alert-rules/${rule}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alert-rules'] }),
  });
  const editable = session.can('settings.write');
  const number = (value: string) => (value === '' ? null : Number(value));
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Rules</h2>
      <ErrorBanner error={query.error ?? change.error} />
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">On</th>
            <th scope="col">Quiet after firing (minutes)</th>
            <th scope="col">Threshold</th>
          </tr>
        </thead>
        <tbody>
          {query.data?.data.map((r) => (
            <tr key={r.rule}>
              <th scope="row">{RULE_LABELS[r.rule]}</th>
              <td>
                <input type="checkbox" aria-label={`${RULE_LABELS[r.rule]} on`} disabled={!editable} checked={r.enabled} onChange={(e) => change.mutate({ rule: r.rule, body: { enabled: e.target.checked } })} />
              </td>
              <td>
                <input type="number" min={0} aria-label={`${RULE_LABELS[r.rule]} cooldown`} disabled={!editable} defaultValue={r.cooldown_minutes} onBlur={(e) => change.mutate({ rule: r.rule, body: { cooldown_minutes: Number(e.target.value) } })} />
              </td>
              <td>
                {r.days !== null && (
                  <label>
                    Days <input type="number" min={0} disabled={!editable} defaultValue={r.days} onBlur={(e) => change.mutate({ rule: r.rule, body: { days: number(e.target.value) } })} />
                  </label>
                )}
                {r.rule === 'count_variance' && (
                  <label>
                    Quantity <input type="number" min={0} step="0.001" disabled={!editable} defaultValue={r.qty ?? ''} onBlur={(e) => change.mutate({ rule: r.rule, body: { qty: number(e.target.value) } })} />
                  </label>
                )}
                {(r.rule === 'count_variance' || r.rule === 'discounts_voids') && session.seesCosts && (
                  <label>
                    Amount <input inputMode="decimal" disabled={!editable} defaultValue={r.amount ?? ''} onBlur={(e) => change.mutate({ rule: r.rule, body: { amount: e.target.value.trim() || null } })} />
                  </label>
                )}
                {r.rule === 'discounts_voids' && (
                  <label>
                    Voids <input type="number" min={1} disabled={!editable} defaultValue={r.count ?? ''} onBlur={(e) => change.mutate({ rule: r.rule, body: { count: number(e.target.value) } })} />
                  </label>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AlertSettingsPage() {
  return (
    <section>
      <PageHeader title="Alert settings">
        <p>Alerts fire when a threshold is crossed — an item falling to its minimum — not while it stays there, and stay quiet for the rule’s cooldown.</p>
      </PageHeader>
      <SubscriptionGrid />
      <PreferencesForm />
      <RuleThresholds />
    </section>
  );
}
