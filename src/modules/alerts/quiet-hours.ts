import { localDate, startOfLocalDay } from '../../platform/clock.ts';

/**
 * Quiet hours and the morning digest are wall-clock times in the shop's time zone ("22:00" to
 * "07:00"). These helpers turn them into instants; they are pure, so they are tested alone.
 */

const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isLocalTime(value: string): boolean {
  return timePattern.test(value);
}

function minutesOf(time: string): number {
  const match = timePattern.exec(time);
  if (!match) throw new Error(`not a HH:MM time: ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/**
 * The instant a local wall-clock time falls on a local date: the date's local midnight plus the
 * minutes. On the two days a year the offset changes this is an hour off for times after the
 * change — acceptable for holding back a message, and said so in docs/alerts.md.
 */
export function instantAtLocal(date: string, time: string, timeZone: string): number {
  return startOfLocalDay(date, timeZone) + minutesOf(time) * 60_000;
}

/**
 * When a message that would go out at `now` may go: `now` outside quiet hours, else the end of
 * them. A window that crosses midnight (22:00–07:00) is the usual case; equal ends mean none.
 */
export function quietUntil(now: number, timeZone: string, from: string | null, to: string | null): number {
  if (from === null || to === null || from === to) return now;
  const today = localDate(now, timeZone);
  const minuteNow = Math.floor((now - startOfLocalDay(today, timeZone)) / 60_000);
  const start = minutesOf(from);
  const end = minutesOf(to);
  const wraps = start > end;
  const inside = wraps ? minuteNow >= start || minuteNow < end : minuteNow >= start && minuteNow < end;
  if (!inside) return now;
  // Past the start on a window that wraps: it ends tomorrow morning.
  const endDate = wraps && minuteNow >= start ? nextDate(today) : today;
  return instantAtLocal(endDate, to, timeZone);
}

/** True once the local time of `now` has reached `at` on its local date. */
export function isPastLocalTime(now: number, timeZone: string, at: string): boolean {
  return now >= instantAtLocal(localDate(now, timeZone), at, timeZone);
}
