import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthFromEnv } from './heap.ts';

describe('the server heap’s growth between full collections', () => {
  it('defaults to doubling, turns off, and takes a whole percent from 10 to 300', () => {
    expect(heapGrowthFromEnv({})).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(DEFAULT_HEAP_GROWTH_PERCENT).toBe(100);
    expect(heapGrowthFromEnv({ STOCKROOM_HEAP_GROWTH: ' OFF ' })).toBeNull();
    expect(heapGrowthFromEnv({ STOCKROOM_HEAP_GROWTH: '10' })).toBe(10);
    expect(heapGrowthFromEnv({ STOCKROOM_HEAP_GROWTH: '300' })).toBe(300);
    for (const bad of ['9', '301', '1.5', '-20', 'lots']) expect(() => heapGrowthFromEnv({ STOCKROOM_HEAP_GROWTH: bad }), bad).toThrow(/STOCKROOM_HEAP_GROWTH/);
  });
});

describe('the server’s start', () => {
  it('reads STOCKROOM_HEAP_GROWTH, refusing to start on a bad one', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const run = spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), 'serve', '--db', ':memory:', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...process.env, STOCKROOM_HEAP_GROWTH: 'lots' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/STOCKROOM_HEAP_GROWTH is a whole percent/);
  });
});
