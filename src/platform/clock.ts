/** The source of "now" for everything that stores a time, so tests can move it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests and deterministic simulations. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  set(epochMs: number): void {
    this.#now = epochMs;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** A clock that follows the system clock plus an offset the tests can move. */
export class OffsetClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function toIsoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : toIso(epochMs);
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(epochMs: number, timeZone: string): string {
  return dateFormat(timeZone).format(new Date(epochMs));
}

/** One formatter per time zone: making one costs about a hundred times formatting a date with it, and reports format thousands. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  return format;
}

/** The instant a calendar date (YYYY-MM-DD) begins in a time zone, daylight saving included. */
export function startOfLocalDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wallClockOf = (epochMs: number) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
        .formatToParts(new Date(epochMs))
        .map((p) => [p.type, Number(p.value)]),
    ) as Record<string, number>;
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  };
  let guess = Date.UTC(y, m - 1, d);
  // Twice: the offset at the first guess may differ from the offset at midnight itself.
  for (let i = 0; i < 2; i += 1) guess = Date.UTC(y, m - 1, d) - (wallClockOf(guess) - guess);
  return guess;
}
