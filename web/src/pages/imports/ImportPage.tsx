import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, uploadFile } from '../../api/client.ts';
import { useLocations } from '../../auth/session.tsx';
import { ErrorBanner, PageHeader, Progress, SelectField } from '../../components/ui.tsx';
import { ImportErrors } from './ImportErrors.tsx';
import { MappingTable } from './MappingTable.tsx';
import type { ImportJob, Mapping, Preview } from './types.ts';

/** What a file may hold: the catalogue (with a mapping step) or one of the kinds with Stockroom's layout only. */
const KINDS = [
  { value: 'items', label: 'Items, variants, barcodes, prices and opening stock', columns: null },
  { value: 'vendors', label: 'Vendors', columns: 'Name, Email, Phone, Contact name, Currency, Payment terms, Lead time days, Over-receipt tolerance %' },
  { value: 'vendor-prices', label: 'Vendor prices', columns: 'Vendor, SKU, Vendor SKU, Purchase unit, Unit cost, Currency, Minimum order, Pack multiple, Preferred' },
  { value: 'stock-levels', label: 'Min/max stock levels', columns: 'SKU, Location, Min, Max, Delivered daily' },
  { value: 'opening-stock', label: 'Opening stock with lots and expiry', columns: 'SKU, Site, Lot, Expires on, Quantity, Unit cost' },
  { value: 'units', label: 'Units of measure (cases, packs)', columns: 'SKU, Base unit, Unit, Factor' },
] as const;
type Kind = (typeof KINDS)[number]['value'];

/**
 * Bringing a file in: choose what it holds and a CSV or XLSX file; for a catalogue, check the
 * column mapping the server recognised (Stockroom, Shopify or Square layout); dry-run it to see
 * every bad row, then apply it and watch the progress. Exports in the same layouts are at the bottom.
 */
export function ImportPage() {
  const [kind, setKind] = useState<Kind>('items');
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<Mapping | null>(null);
  const [site, setSite] = useState('');
  const [dryRun, setDryRun] = useState<ImportJob | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const { sites } = useLocations();

  const preview = useMutation({
    mutationFn: (f: File) => uploadFile<Preview>('/api/v1/imports/items/preview', f),
    onSuccess: (p) => {
      setMapping(p.mapping);
      setDryRun(null);
      setJobId(null);
    },
  });
  const catalogue = kind === 'items';
  const chosen = KINDS.find((k) => k.value === kind)!;
  const query = (mode: string, wait: boolean) => ({ mode, wait, site: site || undefined, ...(catalogue ? { mapping: mapping ? JSON.stringify(mapping) : undefined } : {}), file_name: file?.name });
  const check = useMutation({ mutationFn: () => uploadFile<ImportJob>(`/api/v1/imports/${kind}`, file!, query('dry_run', true)), onSuccess: setDryRun });
  const apply = useMutation({ mutationFn: () => uploadFile<ImportJob>(`/api/v1/imports/${kind}`, file!, query('apply', false)), onSuccess: (job) => setJobId(job.id) });
  const choose = (f: File | null, k: Kind) => {
    setFile(f);
    setDryRun(null);
    setJobId(null);
    setMapping(null);
    if (f && k === 'items') preview.mutate(f);
  };
  const progress = useQuery({
    queryKey: ['import', jobId],
    enabled: jobId !== null,
    queryFn: () => api.get<ImportJob>(`/api/v1/imports/${jobId}`),
    refetchInterval: (q) => (q.state.data?.status === 'running' || !q.state.data ? 500 : false),
  });

  return (
    <section>
      <PageHeader title="Import and export">
        <p className="subtitle">CSV or XLSX: Stockroom’s exports, a Shopify product export or a Square item library export. Importing a file twice changes nothing.</p>
      </PageHeader>
      <div className="card">
        <SelectField
          label="What the file holds"
          value={kind}
          onValue={(v) => {
            setKind(v as Kind);
            choose(file, v as Kind);
          }}
          options={KINDS.map((k) => ({ value: k.value, label: k.label }))}
        />
        {chosen.columns && <p className="subtitle">Columns, as its export writes them: {chosen.columns}.</p>}
        <label>
          File{' '}
          <input
            type="file"
            accept=".csv,.xlsx,text/csv"
            onChange={(e) => {
              choose(e.target.files?.[0] ?? null, kind);
            }}
          />
        </label>
        {(catalogue || kind === 'opening-stock') && (
          <SelectField
            label={catalogue ? 'Site of single quantity columns' : 'Site of rows that name none'}
            value={site}
            onValue={setSite}
            options={[{ value: '', label: 'None' }, ...sites.map((s) => ({ value: s.code, label: s.name }))]}
          />
        )}
        {catalogue && <ErrorBanner error={preview.error} />}
        {catalogue && preview.data && <p>Recognised layout: {preview.data.layout}, {preview.data.headers.length} columns.</p>}
      </div>
      {catalogue && preview.data && mapping && <MappingTable headers={preview.data.headers} mapping={mapping} onChange={setMapping} />}
      {file && (mapping || !catalogue) && (
        <div className="card">
          <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>
            Dry run
          </button>{' '}
          <button type="button" onClick={() => apply.mutate()} disabled={!dryRun || dryRun.error_count > 0 || apply.isPending || progress.data?.status === 'running'}>
            Apply
          </button>
          {check.isPending && <Progress label="Checking every row…" />}
          <ErrorBanner error={check.error ?? apply.error ?? progress.error} />
          {dryRun && <ImportErrors job={dryRun} />}
          {progress.data && <ApplyProgress job={progress.data} />}
        </div>
      )}
      <div className="card">
        <h2>Export</h2>
        <ul>
          {KINDS.map((k) => (
            <li key={k.value}>
              {k.value === 'items' ? 'Catalogue' : k.label}: <a href={`/api/v1/exports/${k.value}?format=csv`}>CSV</a> · <a href={`/api/v1/exports/${k.value}?format=xlsx`}>XLSX</a>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function ApplyProgress({ job }: { job: ImportJob }) {
  if (job.status === 'running') return <Progress label={`Applying: ${job.rows_done} of ${job.rows_total} rows`} value={job.rows_done} max={job.rows_total || undefined} />;
  if (job.status === 'failed') return <p role="alert">The import stopped: {job.failure}</p>;
  return (
    <p role="status">
      Done: {job.created} created, {job.updated} updated, {job.unchanged} unchanged.
    </p>
  );
}
