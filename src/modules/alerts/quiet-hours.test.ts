import { describe, expect, it } from 'vitest';
import { instantAtLocal, isPastLocalTime, quietUntil } from './quiet-hours.ts';

describe('quiet hours', () => {
  // 2026-07-01 is summer in London (BST, UTC+1).
  const at = (h: number, m = 0) => Date.UTC(2026, 6, 1, h, m);

  it('holds a message sent late in the evening until the end of a window that crosses midnight', () => {
    // 22:30 UTC is 23:30 BST, inside 22:00–07:00; it ends 07:00 BST on 2 July = 06:00 UTC.
    expect(quietUntil(at(22, 30), 'Europe/London', '22:00', '07:00')).toBe(Date.UTC(2026, 6, 2, 6));
  });

  it('holds a message sent in the small hours until the same morning', () => {
    // 03:00 UTC is 04:00 BST: ends 07:00 BST = 06:00 UTC the same day.
    expect(quietUntil(at(3), 'Europe/London', '22:00', '07:00')).toBe(at(6));
  });

  it('lets a message outside quiet hours go at once, and treats a missing or empty window as none', () => {
    expect(quietUntil(at(12), 'Europe/London', '22:00', '07:00')).toBe(at(12));
    expect(quietUntil(at(22, 30), 'Europe/London', null, null)).toBe(at(22, 30));
    expect(quietUntil(at(22, 30), 'Europe/London', '09:00', '09:00')).toBe(at(22, 30));
  });

  it('handles a window within one day (a lunch break)', () => {
    // 12:15 UTC in UTC, window 12:00–13:00: until 13:00.
    expect(quietUntil(at(12, 15), 'UTC', '12:00', '13:00')).toBe(at(13));
    expect(quietUntil(at(13), 'UTC', '12:00', '13:00')).toBe(at(13));
  });

  it('places the digest time on the shop’s local day', () => {
    expect(instantAtLocal('2026-07-01', '07:00', 'Europe/London')).toBe(at(6));
    expect(isPastLocalTime(at(5, 59), 'Europe/London', '07:00')).toBe(false);
    expect(isPastLocalTime(at(6), 'Europe/London', '07:00')).toBe(true);
  });
});
