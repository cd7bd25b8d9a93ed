import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { ErrorBanner, SelectField, TextField } from '../../components/ui.tsx';

interface Accounts {
  roles: Array<{ role: string; default_account: string; account_type: string }>;
  mappings: Array<{ site_id: string | null; category: string | null; role: string; account_name: string }>;
}

/** The accounts each role books to: defaults, and mappings for the shop, a site or a category. */
export function AccountMappingCard() {
  const qc = useQueryClient();
  const accounts = useQuery({ queryKey: ['accounting-accounts'], queryFn: () => api.get<Accounts>('/api/v1/accounting/accounts') });
  const [role, setRole] = useState('inventory_asset');
  const [category, setCategory] = useState('');
  const [account, setAccount] = useState('');
  const save = useMutation({
    mutationFn: (accountName: string | null) => api.put<Accounts>('/api/v1/accounting/accounts', { role, category: category.trim() || null, account_name: accountName }),
    onSuccess: (data) => qc.setQueryData(['accounting-accounts'], data),
  });
  const data = accounts.data;
  return (
    <div className="card">
      <h2>Accounts</h2>
      <ErrorBanner error={accounts.error ?? save.error} />
      {data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Default account</th>
              <th scope="col">Mapped</th>
            </tr>
          </thead>
          <tbody>
            {data.roles.map((r) => (
              <tr key={r.role}>
                <td>{r.role.replaceAll('_', ' ')}</td>
                <td>{r.default_account}</td>
                <td>
                  {data.mappings
                    .filter((m) => m.role === r.role)
                    .map((m) => `${m.account_name}${m.category ? ` (${m.category})` : ''}${m.site_id ? ` at ${m.site_id}` : ''}`)
                    .join('; ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(account.trim() || null);
        }}
      >
        <SelectField label="Role" value={role} onValue={setRole} options={(data?.roles ?? []).map((r) => ({ value: r.role, label: r.role.replaceAll('_', ' ') }))} />
        <TextField label="Category (empty: every category)" value={category} onValue={setCategory} />
        <TextField label="Account (empty: remove the mapping)" value={account} onValue={setAccount} />
        <button type="submit" disabled={save.isPending}>
          Save mapping
        </button>
      </form>
    </div>
  );
}
