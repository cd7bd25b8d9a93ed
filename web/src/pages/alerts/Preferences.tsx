import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { mapProblem } from '../../api/problem.ts';
import type { AlertPreferences } from '../../api/types.ts';
import { ErrorBanner, FormErrors, TextField } from '../../components/ui.tsx';

/** Your phone number for texts, quiet hours (emails and texts wait until they end) and the digest time. */
export function PreferencesForm() {
  const qc = useQueryClient();
  const query = useQuery({ queryKey: ['alert-preferences'], queryFn: () => api.get<AlertPreferences>('/api/v1/alert-preferences') });
  const [form, setForm] = useState({ phone: '', quiet_from: '', quiet_to: '', digest_at: '07:00' });
  useEffect(() => {
    const p = query.data;
    if (p) setForm({ phone: p.phone ?? '', quiet_from: p.quiet_from ?? '', quiet_to: p.quiet_to ?? '', digest_at: p.digest_at });
  }, [query.data]);
  const save = useMutation({
    mutationFn: () =>
      api.put<AlertPreferences>('/api/v1/alert-preferences', {
        phone: form.phone.trim() || null,
        quiet_from: form.quiet_from || null,
        quiet_to: form.quiet_to || null,
        digest_at: form.digest_at,
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['alert-preferences'] }),
  });
  const problem = save.error ? mapProblem(save.error, ['phone', 'quiet_from', 'quiet_to', 'digest_at']) : { byField: {} as Record<string, string>, general: [] as string[] };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  if (query.data && query.data.user_id === null) return <p className="banner">This sign-in acts for no person, so it has no alert preferences.</p>;
  return (
    <form onSubmit={submit} aria-labelledby="prefs-title">
      <h2 id="prefs-title">Phone, quiet hours and digest</h2>
      <ErrorBanner error={query.error} />
      <FormErrors messages={problem.general} />
      <TextField label="Phone for text messages" value={form.phone} onValue={(phone) => setForm({ ...form, phone })} error={problem.byField.phone} hint="With the country code, +15551234567" />
      <TextField label="Quiet from" type="time" value={form.quiet_from} onValue={(quiet_from) => setForm({ ...form, quiet_from })} error={problem.byField.quiet_from} />
      <TextField label="Quiet until" type="time" value={form.quiet_to} onValue={(quiet_to) => setForm({ ...form, quiet_to })} error={problem.byField.quiet_to} hint={`Times in the shop’s time zone (${query.data?.time_zone ?? '…'}); in-app notifications are never held back.`} />
      <TextField label="Digest at" type="time" value={form.digest_at} onValue={(digest_at) => setForm({ ...form, digest_at })} error={problem.byField.digest_at} />
      <button type="submit" className="primary" disabled={save.isPending}>
        Save
      </button>
      {save.isSuccess && <span role="status"> Saved.</span>}
    </form>
  );
}
