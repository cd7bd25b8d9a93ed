import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { useSignedIn } from '../../auth/session.tsx';
import { ErrorBanner, formatDateTime, PageHeader } from '../../components/ui.tsx';
import { ListTable } from '../../components/ListTable.tsx';

/** An app a person linked to their account through OAuth (the Alexa skill). */
export interface LinkedApp {
  id: string;
  client_id: string;
  client_name: string;
  user_id: string;
  scopes: string[];
  linked_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** One person's linked apps with Revoke: their own, or anybody's for an owner (the server decides). */
export function LinkedApps({ userId, heading }: { userId: string; heading: string }) {
  const qc = useQueryClient();
  const key = ['linked-apps', userId];
  const apps = useQuery({ queryKey: key, queryFn: () => api.get<Page<LinkedApp>>(`/api/v1/users/${userId}/linked-apps`) });
  const revoke = useMutation({ mutationFn: (id: string) => api.delete<LinkedApp>(`/api/v1/oauth/linked-apps/${id}`), onSuccess: () => void qc.invalidateQueries({ queryKey: key }) });
  const rows = apps.data?.data ?? [];
  return (
    <section className="card" aria-label={heading}>
      <h2>{heading}</h2>
      <ErrorBanner error={apps.error ?? revoke.error} />
      {apps.isSuccess && rows.length === 0 && <p>No apps are linked.</p>}
      {rows.length > 0 && (
        <ListTable exportName="linked-apps">
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Linked</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id}>
                <td>{a.client_name}</td>
                <td>{formatDateTime(a.linked_at)}</td>
                <td>{formatDateTime(a.last_used_at)}</td>
                <td>
                  <button type="button" className="link" disabled={revoke.isPending} onClick={() => revoke.mutate(a.id)} aria-label={`Revoke ${a.client_name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </ListTable>
      )}
    </section>
  );
}

/** Everybody's own linked apps, under their account. */
export function MyLinkedAppsPage() {
  const session = useSignedIn();
  if (!session.user) return null;
  return (
    <section>
      <PageHeader title="Linked apps">
        <p className="subtitle">Apps you allowed to act as you, such as the Alexa skill. Revoking one unlinks it at once.</p>
      </PageHeader>
      <LinkedApps userId={session.user.id} heading="Your linked apps" />
    </section>
  );
}
