import { SEASONS, WEEKDAYS, type Season } from './demo-catalog.ts';

const DAY_MS = 86_400_000;
/** Trade grows by this much a year: the second winter outsells the first. */
const GROWTH_PER_YEAR = 0.12;

type WeekdayKind = keyof typeof WEEKDAYS;

/**
 * How much sells on a given day, relative to an item's base rate: season × weekday × growth. Kept
 * as prefix sums per (season, weekday kind) so a forecast over any window is two look-ups, which
 * matters when thirty thousand items are reviewed on every order day.
 */
export class DemandCalendar {
  readonly start: number;
  readonly days: number;
  #factors = new Map<string, Float64Array>();
  #prefix = new Map<string, Float64Array>();

  /** `start` is midnight UTC of the first day; the calendar runs `days` days (plus slack for forecasts past the end). */
  constructor(start: number, days: number) {
    this.start = start;
    this.days = days + 90;
    for (const season of Object.keys(SEASONS) as Season[]) {
      for (const kind of Object.keys(WEEKDAYS) as WeekdayKind[]) {
        const factors = new Float64Array(this.days);
        const prefix = new Float64Array(this.days + 1);
        for (let d = 0; d < this.days; d += 1) {
          const date = new Date(start + d * DAY_MS);
          factors[d] = seasonAt(season, date) * WEEKDAYS[kind][date.getUTCDay()]! * (1 + (GROWTH_PER_YEAR * d) / 365);
          prefix[d + 1] = prefix[d]! + factors[d]!;
        }
        this.#factors.set(`${season}/${kind}`, factors);
        this.#prefix.set(`${season}/${kind}`, prefix);
      }
    }
  }

  /** The multiplier on day `day` (0 = the first simulated day). */
  factor(season: Season, kind: WeekdayKind, day: number): number {
    return this.#factors.get(`${season}/${kind}`)![Math.min(day, this.days - 1)]!;
  }

  /** The sum of multipliers over days [from, to). */
  window(season: Season, kind: WeekdayKind, from: number, to: number): number {
    const prefix = this.#prefix.get(`${season}/${kind}`)!;
    const last = this.days;
    return prefix[Math.min(to, last)]! - prefix[Math.min(from, last)]!;
  }
}

/** Season multiplier, blended between months so demand does not jump on the first of the month. */
function seasonAt(season: Season, date: Date): number {
  const curve = SEASONS[season];
  const month = date.getUTCMonth();
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), month + 1, 0)).getUTCDate();
  const position = (date.getUTCDate() - 0.5) / daysInMonth - 0.5;
  const neighbour = position < 0 ? (month + 11) % 12 : (month + 1) % 12;
  const weight = Math.abs(position);
  return curve[month]! * (1 - weight) + curve[neighbour]! * weight;
}
