import path from 'node:path';
import { CLI_TEST_TIMEOUT_MS } from './support/cli-timeout.ts';
import { beforeAll, expect, it } from 'vitest';
import { loadDemoStore } from '../src/demo/demo-store.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { describeEachDatabase } from './support/databases.ts';
import { dbUrlOf, stockroom } from './support/cli.ts';

describeEachDatabase('the transfer commands', (get) => {
  beforeAll(async () => {
    await loadDemoStore({ db: get().db, clock: systemClock, actor: systemActor });
  });

  it('sends stock from the warehouse to a store, receives it with a damaged unit, and `check` reports the transit invariants', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const db = ['--db', dbUrlOf(get())];
    const created = await stockroom(['transfer', 'create', '--from', 'WH', '--to', 'HARB', '--line', 'MUG-STONE=4', '--ship', ...db]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/TRF-\d{6} .* in_transit {2}WH → HARB/);
    const number = created.stdout.match(/TRF-\d{6}/)![0];
    const received = await stockroom(['transfer', 'receive', number, '--line', 'MUG-STONE=3', '--damaged', 'MUG-STONE=1', ...db]);
    expect(received.stdout).toMatch(/received 3 {2}damaged 1 {2}lost 0 {2}in transit 0/);
    expect(received.stdout).toMatch(/damaged: 1 MUG-STONE arrived damaged/);
    const refused = await stockroom(['transfer', 'create', '--from', 'WH', '--to', 'HARB', '--line', 'MUG-STONE=100000', ...db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/insufficient_stock/);
    const check = await stockroom(['check', ...db]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/ok {4}transit_belongs_to_open_transfer/);
    expect(check.stdout).toMatch(/ok {4}transit_matches_transfers/);
  });
});
