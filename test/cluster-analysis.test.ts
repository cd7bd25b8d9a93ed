import { describe, expect, it } from 'vitest';
import { jobOverlaps, ranTwiceInATick, type JobRunRecord } from './support/cluster.ts';

const run = (id: string, holder: string, started_at: number, finished_at: number | null, lease_until: number, name = 'expire'): JobRunRecord => ({
  id,
  name,
  holder,
  started_at,
  finished_at,
  lease_until,
  outcome: finished_at === null ? null : 'done',
});

describe("the instances suite's reading of job_runs", () => {
  it('finds no overlap in runs that follow each other, a dead holder taken over after its lease, or different jobs at once', () => {
    const runs = [run('a', 'i0', 1000, 1150, 3000), run('b', 'i1', 1150, 1300, 3150), run('c', 'i2', 1400, null, 1900), run('d', 'i0', 1900, 2000, 3900), run('e', 'i1', 1000, 1500, 3000, 'purge')];
    expect(jobOverlaps(runs)).toEqual([]);
  });

  it('finds a run that started while another held the job, and one that started before a dead holder\'s lease ran out', () => {
    expect(jobOverlaps([run('a', 'i0', 1000, 1150, 3000), run('b', 'i1', 1100, 1200, 3100)])).toHaveLength(1);
    expect(jobOverlaps([run('c', 'i2', 1400, null, 1900), run('d', 'i0', 1899, 2000, 3900)])).toHaveLength(1);
    // Overlapping the first of two earlier runs, not the one just before it.
    expect(jobOverlaps([run('a', 'i0', 1000, 5000, 6000), run('b', 'i1', 1100, 1200, 3100), run('c', 'i2', 1300, 1400, 3300)])).toHaveLength(2);
  });

  it('allows a second run in a tick only after a run that never finished', () => {
    expect(ranTwiceInATick([run('a', 'i0', 1000, 1100, 3000), run('b', 'i1', 1450, 1500, 3450)], 400)).toEqual([]);
    expect(ranTwiceInATick([run('a', 'i0', 1200, null, 1500), run('b', 'i1', 1500, 1550, 3500)], 400)).toEqual([]);
    expect(ranTwiceInATick([run('a', 'i0', 1200, 1250, 3200), run('b', 'i1', 1500, 1550, 3500)], 400)).toHaveLength(1);
  });
});
