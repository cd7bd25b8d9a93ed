/** A tiny bearer-token client for arranging data before the browser looks at it. */
export function apiClient(origin: string, token: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return parsed as T;
  };
  return {
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body: unknown = {}, headers?: Record<string, string>) => call<T>('POST', path, body, headers),
    put: <T = any>(path: string, body: unknown) => call<T>('PUT', path, body),
  };
}

export function demoToken(serverOutput: string): string {
  const match = /STOCKROOM_TOKEN=(stk_\S+)/.exec(serverOutput);
  if (!match) throw new Error(`the demo printed no token:\n${serverOutput}`);
  return match[1]!;
}
