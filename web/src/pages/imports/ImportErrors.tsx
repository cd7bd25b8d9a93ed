import type { ImportJob } from './types.ts';
import { ListTable } from '../../components/ListTable.tsx';

/** The dry run's findings: one line per problem, with the row number as a spreadsheet shows it and the column. */
export function ImportErrors({ job }: { job: ImportJob }) {
  if (job.error_count === 0) return <p>All {job.rows_total} rows are valid.</p>;
  return (
    <>
      <p>
        {job.error_count} problems in {job.rows_total} rows{job.error_count > job.errors.length ? ` (the first ${job.errors.length} shown)` : ''}.
      </p>
      <ListTable exportName="import-errors">
        <thead>
          <tr>
            <th>Row</th>
            <th>Column</th>
            <th>Code</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody>
          {job.errors.map((e, i) => (
            <tr key={`${e.row}-${e.column}-${i}`}>
              <td>{e.row}</td>
              <td>{e.column ?? '—'}</td>
              <td>{e.code}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </ListTable>
    </>
  );
}
