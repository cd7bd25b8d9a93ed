import os from 'node:os';

/**
 * Which server process this is, among several sharing one database: the name it holds job leases
 * under (and, later, delivery claims), shown in `job_runs` and the logs. `STOCKROOM_INSTANCE_ID`
 * names it (a container orchestrator's pod name, `web-2`); without it, host name and process id,
 * which differ between any two live processes. Uniqueness is not what keeps jobs apart (every
 * claim carries its own run id), so two instances given one id by mistake still never overlap;
 * they only become hard to tell apart in the logs.
 */
const instanceIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/;

export function resolveInstanceId(env: NodeJS.ProcessEnv = process.env, host = os.hostname(), pid = process.pid): string {
  const given = env.STOCKROOM_INSTANCE_ID;
  if (given !== undefined && given !== '') {
    if (!instanceIdPattern.test(given)) {
      throw new Error(`STOCKROOM_INSTANCE_ID is 1 to 100 letters, digits and . _ : @ - (starting with a letter or digit), not "${given}"`);
    }
    return given;
  }
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 80) || 'host';
  return `${safeHost}:${pid}`;
}
