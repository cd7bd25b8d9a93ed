import { sql, type RawBuilder } from 'kysely';
import type { ReportScope } from './report-scope.ts';

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

/** A kept-totals row's column for each key (the rows are read as `t`). */
export const keptKeyColumn: Record<Exclude<SalesKey, 'quarter'>, 't.item_id' | 't.site_id' | 't.channel_id'> = { item: 't.item_id', site: 't.site_id', channel: 't.channel_id' };

/** The report's channel filter on kept-totals rows (`t`), where the counter is kept as ''. */
export function keptChannelIs(scope: ReportScope): RawBuilder<boolean> {
  const channel = scope.filters.channelId;
  return channel ? sql<boolean>`t.channel_id = ${channel === COUNTER_CHANNEL ? '' : channel}` : sql<boolean>`1 = 1`;
}
