import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ErrorBanner, Loading, PageHeader } from '../../components/ui.tsx';
import { TaxRates } from './tax/TaxRates.tsx';
import { TaxRules } from './tax/TaxRules.tsx';
import type { TaxRate, TaxRule } from './tax/tax-types.ts';

/**
 * Tax, set up once: whether shelf prices include tax, the shop's rates, and the rules that give
 * them to sites and categories. The counter and online orders take each line's rate from here;
 * an item is made exempt on its own page.
 */
export function TaxSettingsPage() {
  const session = useSignedIn();
  const canWrite = session.can('tax.write');
  const rates = useQuery({ queryKey: ['tax-rates'], queryFn: () => api.get<{ data: TaxRate[] }>('/api/v1/tax-rates') });
  const rules = useQuery({ queryKey: ['tax-rules'], queryFn: () => api.get<{ data: TaxRule[] }>('/api/v1/tax-rules') });
  return (
    <section>
      <PageHeader title="Tax">
        <p className="subtitle">Set up once; the counter and online orders charge each item the rate its rules give it at the store.</p>
      </PageHeader>
      <PricesIncludeTax canWrite={session.can('settings.write')} />
      <ErrorBanner error={rates.error ?? rules.error} />
      {rates.isPending || rules.isPending ? (
        <Loading />
      ) : (
        <>
          <TaxRates rates={rates.data?.data ?? []} canWrite={canWrite} />
          <TaxRules rules={rules.data?.data ?? []} rates={rates.data?.data ?? []} canWrite={canWrite} />
        </>
      )}
    </section>
  );
}

function PricesIncludeTax({ canWrite }: { canWrite: boolean }) {
  const qc = useQueryClient();
  const settings = useQuery({ queryKey: ['settings', 'tax'], queryFn: () => api.get<{ prices_include_tax: boolean }>('/api/v1/settings') });
  const save = useMutation({
    mutationFn: (value: boolean) => api.patch<{ prices_include_tax: boolean }>('/api/v1/settings', { prices_include_tax: value }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['settings'] });
      void qc.invalidateQueries({ queryKey: ['tax-table'] });
    },
  });
  const included = settings.data?.prices_include_tax ?? false;
  return (
    <div className="card">
      <label>
        <input type="checkbox" checked={included} disabled={!canWrite || save.isPending || settings.isPending} onChange={(e) => save.mutate(e.target.checked)} /> Prices include tax
      </label>
      <p className="muted">
        {included
          ? 'The receipt total is the shelf price; the tax in it is worked out per line (price × rate ÷ (1 + rate), to the cent).'
          : 'Tax is added on top of the shelf price, per line, to the cent.'}
      </p>
    </div>
  );
}
