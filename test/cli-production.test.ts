import path from 'node:path';
import { CLI_TEST_TIMEOUT_MS } from './support/cli-timeout.ts';
import { beforeAll, expect, it } from 'vitest';
import { findItemBySku } from '../src/modules/catalog/index.ts';
import { createBomVersion } from '../src/modules/production/index.ts';
import { loadDemoStore } from '../src/demo/demo-store.ts';
import { systemClock } from '../src/platform/clock.ts';
import { systemActor } from '../src/platform/context.ts';
import { describeEachDatabase } from './support/databases.ts';
import { dbUrlOf, stockroom } from './support/cli.ts';

describeEachDatabase('the production commands', (get) => {
  beforeAll(async () => {
    const ctx = { db: get().db, clock: systemClock, actor: systemActor };
    await loadDemoStore(ctx);
    const sku = async (code: string) => (await findItemBySku(get().db.kysely, code))!.id;
    // A tray of 12 croissants: 720 g of flour and 420 g of butter.
    await createBomVersion(ctx, await sku('CROIS-BUT'), {
      batch_qty: 12_000,
      lines: [
        { item_id: await sku('FLOUR-T55'), qty: 720_000 },
        { item_id: await sku('BUTTER-BLK'), qty: 420_000 },
      ],
    });
  });

  it('bakes a tray from a script with what was really used, and `check` reports production’s invariants', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const db = ['--db', dbUrlOf(get())];
    const created = await stockroom(['production', 'create', '--site', 'MAIN', '--item', 'CROIS-BUT', '--qty', '12', '--start', ...db]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/PRD-\d{6} .* started {2}MAIN {2}CROIS-BUT {2}planned 12/);
    expect(created.stdout).toMatch(/FLOUR-T55 +planned 720 {2}reserved 720 {2}used 0/);
    const number = created.stdout.match(/PRD-\d{6}/)![0];
    const done = await stockroom(['production', 'complete', number, '--made', '11', '--scrapped', '1', '--used', 'FLOUR-T55=700', '--close', ...db]);
    expect(done.stderr).toBe('');
    expect(done.stdout).toMatch(/closed {2}MAIN {2}CROIS-BUT {2}planned 12 {2}made 11 {2}scrapped 1/);
    expect(done.stdout).toMatch(/FLOUR-T55 +planned 720 {2}reserved 0 {2}used 700/);
    expect(done.stdout).toMatch(/BUTTER-BLK +planned 420 {2}reserved 0 {2}used 420/);
    const refused = await stockroom(['production', 'complete', number, '--made', '1', ...db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/production_order_state/);
    const check = await stockroom(['check', ...db]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/ok {4}production_matches_ledger/);
    expect(check.stdout).toMatch(/ok {4}production_value_conserved/);
  });
});
