/**
 * The one way the web app writes a date or a moment: "Dec 3, 2026" and "Dec 3, 2026, 14:05" in
 * the browser's language and time zone. Every page goes through these two, so a date never
 * shows as an ISO string on one page and as "12/3/2026" on the next.
 */

const dateFormat: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' };
const dateTimeFormat: Intl.DateTimeFormatOptions = { ...dateFormat, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

/** A calendar day ("2026-12-03") is that day wherever the reader is; an instant is the reader's local day. */
function toDate(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00` : value);
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const d = toDate(value);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleDateString(undefined, dateFormat);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = toDate(value);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleString(undefined, dateTimeFormat);
}
