import { describe, expect, it } from 'vitest';
import { nextRunAt } from './report-schedules.service.ts';

const at = (iso: string) => Date.parse(iso);

describe('when a report schedule runs next', () => {
  it('daily: today at the hour if it is still ahead, else tomorrow', () => {
    expect(nextRunAt({ frequency: 'daily', hour: 7 }, at('2026-11-02T06:59:00Z'), 'UTC')).toBe(at('2026-11-02T07:00:00Z'));
    expect(nextRunAt({ frequency: 'daily', hour: 7 }, at('2026-11-02T07:00:00Z'), 'UTC')).toBe(at('2026-11-03T07:00:00Z'));
  });
  it('weekly: the next matching weekday (Monday 0), a week on when today’s hour has passed', () => {
    // 2026-11-02 is a Monday.
    expect(nextRunAt({ frequency: 'weekly', weekday: 2, hour: 6 }, at('2026-11-02T10:00:00Z'), 'UTC')).toBe(at('2026-11-04T06:00:00Z'));
    expect(nextRunAt({ frequency: 'weekly', weekday: 0, hour: 6 }, at('2026-11-02T10:00:00Z'), 'UTC')).toBe(at('2026-11-09T06:00:00Z'));
    expect(nextRunAt({ frequency: 'weekly', weekday: 6, hour: 23 }, at('2026-11-02T10:00:00Z'), 'UTC')).toBe(at('2026-11-08T23:00:00Z'));
  });
  it('is the hour of the shop’s own time zone', () => {
    // 07:00 in New York in November is 12:00 UTC; in Sydney (UTC+11) it is 20:00 UTC the day before.
    expect(nextRunAt({ frequency: 'daily', hour: 7 }, at('2026-11-02T10:00:00Z'), 'America/New_York')).toBe(at('2026-11-02T12:00:00Z'));
    expect(nextRunAt({ frequency: 'daily', hour: 7 }, at('2026-11-02T10:00:00Z'), 'Australia/Sydney')).toBe(at('2026-11-02T20:00:00Z'));
  });
});
