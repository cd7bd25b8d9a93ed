/** What the sales reports group sold lines by, shared by the per-line facts and the kept days' totals. */

/** The channel a counter sale is reported under (its own channel id is null). */
export const COUNTER_CHANNEL = 'counter';

/** What a report groups the sold lines by: the item, the channel, the site, or the quarter hour they were sold in. */
export type SalesKey = 'item' | 'channel' | 'site' | 'quarter';

/**
 * A quarter hour, in ms since the epoch over 900,000. Every time zone in use today is offset from
 * UTC by whole quarter hours, so a sale's local hour, weekday and date are those of its quarter.
 */
export const QUARTER_MS = 900_000;
