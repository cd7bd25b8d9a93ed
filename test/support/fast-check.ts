import type fc from 'fast-check';

/**
 * fast-check parameters for the property tests: FC_RUNS sets the number of runs, FC_SEED replays
 * a run. The seed is printed either way, so a failure seen once in CI can be replayed at a desk.
 */
export function propertyParams(label: string, defaultRuns: number): fc.Parameters<unknown> {
  const runs = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : defaultRuns;
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 0x7fffffff);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('FC_RUNS is a positive whole number');
  if (!Number.isInteger(seed)) throw new Error('FC_SEED is a whole number');
  console.info(`[fast-check] ${label}: seed ${seed}, ${runs} runs (replay with FC_SEED=${seed})`);
  return { numRuns: runs, seed };
}
