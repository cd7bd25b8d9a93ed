import { useLocations, useSite } from '../auth/session.tsx';
import { SelectField } from './ui.tsx';

/** A bin (or the site itself, meaning its default bin) at the sites the person can see. */
export function LocationSelect({ label, value, onValue, error, sitesOnly, withinSite }: { label: string; value: string; onValue(v: string): void; error?: string; sitesOnly?: boolean; withinSite?: string | null }) {
  const { all } = useLocations();
  const { siteId } = useSite();
  const scope = withinSite === undefined ? siteId : withinSite;
  const options = all
    .filter((l) => (sitesOnly ? l.kind === 'site' : l.kind === 'site' || l.holds_stock))
    .filter((l) => !scope || l.site_id === scope)
    .map((l) => ({ value: l.id, label: l.kind === 'site' ? `${l.name} (default bin)` : `  ${l.full_code} — ${l.name}${l.purpose === 'quarantine' ? ' (quarantine)' : ''}` }));
  return <SelectField label={label} value={value} onValue={onValue} error={error} options={[{ value: '', label: 'Choose…' }, ...options]} />;
}
