/**
 * How big a long test runs: its environment variable when set, else a smaller size in CI (which
 * must finish well inside its time limit) and the full size everywhere else, so `npm test` on a
 * developer's machine is the full version. The size is printed, so a CI log says what it ran.
 */
export function testSize(variable: string, full: number, ci: number): number {
  const raw = process.env[variable];
  const size = raw !== undefined && raw !== '' ? Number(raw) : process.env.CI ? ci : full;
  if (!Number.isInteger(size) || size < 1) throw new Error(`${variable} must be a whole number above 0, not ${raw}`);
  console.log(`${variable}=${size}${size === full ? '' : ` (full size ${full}: set ${variable}=${full})`}`);
  return size;
}
