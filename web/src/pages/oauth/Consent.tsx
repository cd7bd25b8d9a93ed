import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { api } from '../../api/client.ts';
import { ApiError } from '../../api/problem.ts';
import { ErrorBanner, Loading } from '../../components/ui.tsx';

/**
 * The OAuth consent page at /oauth/authorize: the Alexa app opens it with the authorization
 * request in the query. Signed out, the app shows the sign-in page at this same address and this
 * page once signed in. The server checks the request; a fault it may send back to the app
 * (`redirect_to`) is sent back at once; an unknown app or redirect address is only shown here.
 */
interface AuthorizationInfo {
  client: { id: string; name: string };
  redirect_uri: string;
  scopes: string[];
  user: { id: string; label: string };
}

const SCOPE_WORDS: Record<string, string> = {
  voice: 'answer voice questions about stock, what is low and what sold, and add lines to draft purchase orders — with your role and sites',
};

const OAUTH_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method'] as const;

function redirectOf(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const to = error.problem.redirect_to;
  return typeof to === 'string' ? to : null;
}

export function ConsentPage() {
  const params = useMemo(() => {
    const search = new URLSearchParams(window.location.search);
    const out: Record<string, string> = {};
    for (const name of OAUTH_PARAMS) {
      const value = search.get(name);
      if (value !== null) out[name] = value;
    }
    return out;
  }, []);
  const info = useQuery({ queryKey: ['oauth-authorize', params], queryFn: () => api.get<AuthorizationInfo>('/api/v1/oauth/authorize', params), retry: false });
  const decide = useMutation({
    mutationFn: (approve: boolean) => api.post<{ redirect_to: string }>('/api/v1/oauth/authorize', { ...params, approve }),
    onSuccess: (answer) => window.location.assign(answer.redirect_to),
  });
  const sendBack = redirectOf(info.error) ?? redirectOf(decide.error);
  useEffect(() => {
    if (sendBack) window.location.replace(sendBack);
  }, [sendBack]);

  if (info.isPending || sendBack) return <Loading label="Checking the request…" />;
  return (
    <main className="consent">
      <section className="card" aria-label="Link an app">
        <h1>Link an app to Stockroom</h1>
        <ErrorBanner error={info.error ?? decide.error} title="This link request cannot be used" />
        {info.data && (
          <>
            <p>
              <strong>{info.data.client.name}</strong> asks to act as <strong>{info.data.user.label}</strong>. It will be able to:
            </p>
            <ul>
              {info.data.scopes.map((s) => (
                <li key={s}>{SCOPE_WORDS[s] ?? s}</li>
              ))}
            </ul>
            <p className="subtitle">You can unlink it at any time under Linked apps. It never sees your password.</p>
            <div className="actions">
              <button type="button" className="primary" disabled={decide.isPending || decide.isSuccess} onClick={() => decide.mutate(true)}>
                Allow
              </button>{' '}
              <button type="button" disabled={decide.isPending || decide.isSuccess} onClick={() => decide.mutate(false)}>
                Deny
              </button>
            </div>
          </>
        )}
      </section>
    </main>
  );
}
