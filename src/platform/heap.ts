import v8 from 'node:v8';

/**
 * How far the server lets its JavaScript heap grow between full garbage collections, as a percent
 * of what the last one kept. V8 lets the old generation grow to as much as four times the live heap
 * when full collections are cheap, which a server under steady load finds they are: on the
 * scale-100 demo shop about 50 MiB stayed live while the process grew to 250–320 MiB over a minute
 * of movement-history requests. Letting it at most double held it near 210 MiB (half again as much:
 * near 190 MiB, for about 3 % fewer counter sales a second, since full collections come more often).
 *
 * STOCKROOM_HEAP_GROWTH: a whole percent from 10 to 300 (default 100), or `off` for V8's own rule.
 */
export function heapGrowthFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = (env.STOCKROOM_HEAP_GROWTH ?? '').trim().toLowerCase();
  if (raw === '') return DEFAULT_HEAP_GROWTH_PERCENT;
  if (raw === 'off') return null;
  if (!/^\d+$/.test(raw) || Number(raw) < 10 || Number(raw) > 300) throw new Error('STOCKROOM_HEAP_GROWTH is a whole percent from 10 to 300, or off');
  return Number(raw);
}

export const DEFAULT_HEAP_GROWTH_PERCENT = 100;

/** Applies the growth to this process's heap; the server calls it as it starts. */
export function limitHeapGrowth(percent: number | null): void {
  if (percent !== null) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
