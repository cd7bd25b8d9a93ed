import { IMPORT_FIELDS, type Mapping } from './types.ts';

/** The mapping step: for each Stockroom field, the file column it is read from (or none), as the layout suggested. */
export function MappingTable({ headers, mapping, onChange }: { headers: string[]; mapping: Mapping; onChange(m: Mapping): void }) {
  const set = (field: string, column: string) => {
    const fields = { ...mapping.fields };
    if (column) fields[field] = column;
    else delete fields[field];
    onChange({ ...mapping, fields });
  };
  return (
    <table>
      <thead>
        <tr>
          <th>Field</th>
          <th>Column in the file</th>
        </tr>
      </thead>
      <tbody>
        {IMPORT_FIELDS.map((field) => (
          <tr key={field}>
            <td>{field.replace(/_/g, ' ')}</td>
            <td>
              <select aria-label={`Column for ${field}`} value={mapping.fields[field] ?? ''} onChange={(e) => set(field, e.target.value)}>
                <option value="">—</option>
                {headers.map((h) => (
                  <option key={h} value={h}>
                    {h}
                  </option>
                ))}
              </select>
            </td>
          </tr>
        ))}
        {mapping.stock.map((s) => (
          <tr key={s.column}>
            <td>opening stock</td>
            <td>
              {s.column} → {s.site || 'the site chosen above'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
