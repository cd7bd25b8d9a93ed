import { IntegrationError } from './integrations.errors.ts';

/**
 * A platform call made while someone waits for the answer (reading the catalogue, reconciling):
 * a platform that cannot be reached, times out or keeps throttling answers 503
 * `upstream_unavailable` with what went wrong, never a 500.
 */
export async function callUpstream<T>(platform: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof IntegrationError) throw error;
    throw new IntegrationError('upstream_unavailable', `${platform} could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
}
