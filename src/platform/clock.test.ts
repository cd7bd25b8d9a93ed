import { describe, expect, it } from 'vitest';
import { localDate, startOfLocalDay } from './clock.ts';

describe('local days', () => {
  it('finds where a day begins in a time zone, across daylight saving', () => {
    expect(new Date(startOfLocalDay('2026-11-27', 'UTC')).toISOString()).toBe('2026-11-27T00:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-07-01', 'Europe/London')).toISOString()).toBe('2026-06-30T23:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-03-29', 'Europe/London')).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-03-30', 'Europe/London')).toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-01-15', 'America/New_York')).toISOString()).toBe('2026-01-15T05:00:00.000Z');
    expect(new Date(startOfLocalDay('2026-01-15', 'Asia/Kolkata')).toISOString()).toBe('2026-01-14T18:30:00.000Z');
  });

  it('names the local date of an instant', () => {
    expect(localDate(Date.parse('2026-06-30T23:30:00Z'), 'Europe/London')).toBe('2026-07-01');
    expect(localDate(Date.parse('2026-06-30T23:30:00Z'), 'UTC')).toBe('2026-06-30');
  });
});
