import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { mapProblem, type MappedProblem } from '../../api/problem.ts';
import type { Settings, SettingsWithOffline } from '../../api/types.ts';
import { useSettings, useSignedIn } from '../../auth/session.tsx';
import { FormErrors, PageHeader, TextField } from '../../components/ui.tsx';

const none: MappedProblem = { byField: {}, general: [] };

/** The shop's name, base currency and time zone; only what changed is sent. */
export function ShopSettingsPage() {
  const session = useSignedIn();
  const settings = useSettings();
  const qc = useQueryClient();
  const [form, setForm] = useState<Settings>(() => ({ shop_name: settings.shop_name, base_currency: settings.base_currency, time_zone: settings.time_zone }));
  const windowNow = String((settings as SettingsWithOffline).offline_window_days ?? 7);
  const [windowDays, setWindowDays] = useState(windowNow);
  const [problem, setProblem] = useState(none);
  const [saved, setSaved] = useState(false);
  const canWrite = session.can('settings.write');
  const set = (k: keyof Settings) => (v: string) => {
    setSaved(false);
    setForm((f) => ({ ...f, [k]: v }));
  };
  const save = useMutation({
    mutationFn: (body: Partial<SettingsWithOffline>) => api.patch<SettingsWithOffline>('/api/v1/settings', body),
    onSuccess: (next) => {
      qc.setQueryData(['settings'], next);
      setForm({ shop_name: next.shop_name, base_currency: next.base_currency, time_zone: next.time_zone });
      setWindowDays(String(next.offline_window_days ?? 7));
      setProblem(none);
      setSaved(true);
    },
    onError: (error) => setProblem(mapProblem(error, ['shop_name', 'base_currency', 'time_zone', 'offline_window_days'])),
  });
  const changed = (Object.keys(form) as Array<keyof Settings>).filter((k) => form[k] !== settings[k]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const days = windowDays.trim() === windowNow ? {} : { offline_window_days: /^\d+$/.test(windowDays.trim()) ? Number(windowDays.trim()) : -1 };
    save.mutate({ ...Object.fromEntries(changed.map((k) => [k, k === 'base_currency' ? form[k].trim().toUpperCase() : form[k].trim()])), ...days });
  };
  return (
    <section>
      <PageHeader title="Shop settings" />
      <form className="card form" onSubmit={submit} noValidate aria-label="Shop settings">
        <TextField label="Shop name" value={form.shop_name} onValue={set('shop_name')} error={problem.byField.shop_name} disabled={!canWrite} required />
        <TextField
          label="Base currency"
          value={form.base_currency}
          onValue={set('base_currency')}
          error={problem.byField.base_currency}
          hint="Costs and prices are kept in this currency. Change it only before recording any costs."
          maxLength={3}
          disabled={!canWrite}
        />
        <TextField
          label="Time zone"
          value={form.time_zone}
          onValue={set('time_zone')}
          error={problem.byField.time_zone}
          hint="Where the shop's days begin and end, as in Europe/London or America/New_York."
          disabled={!canWrite}
        />
        <TextField
          label="Offline window (days)"
          inputMode="numeric"
          value={windowDays}
          onValue={(v) => {
            setSaved(false);
            setWindowDays(v);
          }}
          error={problem.byField.offline_window_days}
          hint="How far back a till or scanner may date what it recorded offline (0 to 90; see the offline guide)."
          disabled={!canWrite}
        />
        <FormErrors messages={problem.general} />
        {canWrite && (
          <button type="submit" className="primary" disabled={(changed.length === 0 && windowDays.trim() === windowNow) || save.isPending}>
            {save.isPending ? 'Saving…' : 'Save settings'}
          </button>
        )}
        {saved && <p role="status">Saved.</p>}
      </form>
    </section>
  );
}
