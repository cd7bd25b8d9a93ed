import type fc from 'fast-check';

/**
 * Run count and seed of a property test, from the environment: FC_RUNS (else the test's own
 * default, kept small for every CI run) and FC_SEED (else a fresh one). The seed is printed on
 * every run, not only on failure, so a run that passed on a laptop can be replayed too;
 * `npm run test:nightly` sets a large FC_RUNS.
 */
export function propertyParameters(name: string, defaultRuns: number): { seed: number; numRuns: number } & fc.Parameters<unknown> {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;
  const numRuns = process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : defaultRuns;
  if (!Number.isInteger(seed) || !Number.isInteger(numRuns) || numRuns < 1) throw new Error('FC_SEED and FC_RUNS are whole numbers');
  console.log(`${name}: FC_SEED=${seed} FC_RUNS=${numRuns}`);
  return { seed, numRuns };
}
