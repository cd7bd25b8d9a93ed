import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime } from './dates.ts';

describe('dates', () => {
  it('writes a calendar day and an instant in one format, whatever shape the API gave', () => {
    const day = formatDate('2026-12-03');
    expect(day).toBe(formatDate('2026-12-03T12:00:00'));
    expect(day).toMatch(/2026/);
    expect(day).toMatch(/Dec/);
    expect(day).not.toMatch(/2026-12-03|12\/3\/2026/);
    const moment = formatDateTime('2026-12-03T09:05:00');
    expect(moment.startsWith(day)).toBe(true);
    expect(moment).toMatch(/09:05/);
  });

  it('writes a dash for nothing, and leaves text that is not a date as it is', () => {
    expect(formatDate(null)).toBe('—');
    expect(formatDateTime(undefined)).toBe('—');
    expect(formatDate('soon')).toBe('soon');
  });
});
