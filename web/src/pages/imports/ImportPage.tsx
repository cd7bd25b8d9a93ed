import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, uploadFile } from '../../api/client.ts';
import { useLocations } from '../../auth/session.tsx';
import { ErrorBanner, PageHeader, Progress, SelectField } from '../../components/ui.tsx';
import { ImportErrors } from './ImportErrors.tsx';
import { MappingTable } from './MappingTable.tsx';
import type { ImportJob, Mapping, Preview } from './types.ts';

/**
 * Bringing a catalogue in: choose a CSV or XLSX file, check the column mapping the server
 * recognised (Stockroom, Shopify or Square layout), dry-run it to see every bad row, then apply it
 * and watch the progress. Exports in the same layout are at the bottom.
 */
export function ImportPage() {
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
  const query = (mode: string, wait: boolean) => ({ mode, wait, site: site || undefined, mapping: mapping ? JSON.stringify(mapping) : undefined, file_name: file?.name });
  const check = useMutation({ mutationFn: () => uploadFile<ImportJob>('/api/v1/imports/items', file!, query('dry_run', true)), onSuccess: setDryRun });
  const apply = useMutation({ mutationFn: () => uploadFile<ImportJob>('/api/v1/imports/items', file!, query('apply', false)), onSuccess: (job) => setJobId(job.id) });
  const progress = useQuery({
    queryKey: ['import', jobId],
    enabled: jobId !== null,
    queryFn: () => api.get<ImportJob>(`/api/v1/imports/${jobId}`),
    refetchInterval: (q) => (q.state.data?.status === 'running' || !q.state.data ? 500 : false),
  });

  return (
    <section>
      <PageHeader title="Import items">
        <p className="subtitle">CSV or XLSX: Stockroom’s export, a Shopify product export or a Square item library export. Importing a file twice changes nothing.</p>
      </PageHeader>
      <div className="card">
        <label>
          File{' '}
          <input
            type="file"
            accept=".csv,.xlsx,text/csv"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              if (f) preview.mutate(f);
            }}
          />
        </label>
        <SelectField label="Site of single quantity columns" value={site} onValue={setSite} options={[{ value: '', label: 'None' }, ...sites.map((s) => ({ value: s.code, label: s.name }))]} />
        <ErrorBanner error={preview.error} />
        {preview.data && <p>Recognised layout: {preview.data.layout}, {preview.data.headers.length} columns.</p>}
      </div>
      {preview.data && mapping && <MappingTable headers={preview.data.headers} mapping={mapping} onChange={setMapping} />}
      {file && mapping && (
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
        <a href="/api/v1/exports/items?format=csv">Catalogue as CSV</a> · <a href="/api/v1/exports/items?format=xlsx">Catalogue as XLSX</a>
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
