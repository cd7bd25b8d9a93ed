/** The calendar date ('YYYY-MM-DD') of an instant in the shop's time zone. */
export function localDateOf(epochMs: number, timeZone: string): string {
  const parts = dateFormatIn(timeZone).formatToParts(new Date(epochMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** A formatter per time zone, kept: making one costs far more than formatting with it (receipts and purchase orders ask for every line). */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormatIn(timeZone: string): Intl.DateTimeFormat {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    // Zones are the sites' (valid IANA names, a bounded set); an unknown one throws above and is not kept.
    dateFormats.set(timeZone, format);
  }
  return format;
}

/** Whole days from one date to another ('2026-11-02' to '2026-11-09' is 7). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
