import path from 'node:path';
import { expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS } from './support/cli-timeout.ts';
import { claimJobLease, releaseJobLease } from '../src/platform/jobs/lease.ts';
import { describeEachDatabase } from './support/databases.ts';
import { dbUrlOf, stockroom } from './support/cli.ts';

describeEachDatabase('stockroom jobs', (get) => {
  it('shows which instance holds each job and the latest runs, as text and as JSON', { timeout: CLI_TEST_TIMEOUT_MS }, async () => {
    const { db } = get();
    const now = Date.now();
    const done = await claimJobLease(db, { name: 'purge_ended_sessions', holder: 'web-1', now: now - 5_000, leaseMs: 60_000, everyMs: 3_600_000 });
    await releaseJobLease(db, done!, now - 4_958, { outcome: 'done', handled: 3 });
    await claimJobLease(db, { name: 'expire_orders', holder: 'web-2', now, leaseMs: 60_000, everyMs: 60_000 });

    const text = await stockroom(['jobs', '--db', dbUrlOf(get())]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/expire_orders\s+held by web-2 until/);
    expect(text.stdout).toMatch(/purge_ended_sessions\s+free; last started/);
    expect(text.stdout).toMatch(/purge_ended_sessions\s+web-1\s+42 ms\s+done \(3\)/);
    expect(text.stdout).toMatch(/expire_orders\s+web-2\s+not finished\s+running/);

    const json = await stockroom(['jobs', '--db', dbUrlOf(get()), '--json', '--runs', '1']);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.leases.map((l: { name: string; holder: string | null }) => [l.name, l.holder])).toEqual([
      ['expire_orders', 'web-2'],
      ['purge_ended_sessions', null],
    ]);
    expect(parsed.runs).toHaveLength(1);
    expect(parsed.runs[0]).toMatchObject({ name: 'expire_orders', holder: 'web-2', finished_at: null });
  });
});
