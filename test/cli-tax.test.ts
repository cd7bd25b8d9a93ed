import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { loadDemoStore } from '../src/demo/demo-store.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { describeEachDatabase } from './support/databases.ts';
import { dbUrlOf, stockroom } from './support/cli.ts';

describeEachDatabase('the tax command', (get) => {
  beforeAll(async () => {
    await loadDemoStore({ db: get().db, clock: systemClock, actor: systemActor });
  });

  it('prints the demo’s rates and rules, and what the Harbour till charges', { timeout: 60_000 }, async () => {
    const out = await stockroom(['tax', '--site', 'HARB', '--db', dbUrlOf(get())]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/rate {2}VAT standard +20%/);
    expect(out.stdout).toMatch(/rule {2}every site +Bakery +VAT zero 0%/);
    expect(out.stdout).toContain('HARB: prices include tax; default 20%');
    expect(out.stdout).toMatch(/Café drinks +5%/);
  });
});
