import type { QueueKind, QueuedWrite } from './queue.ts';

const NOUNS: Record<QueueKind, [string, string]> = {
  sale: ['sale', 'sales'],
  receipt: ['receipt', 'receipts'],
  adjustment: ['adjustment', 'adjustments'],
  count: ['count line', 'count lines'],
};

/** "7 sales waiting", "5 sales, 1 receipt waiting": what the queue holds, by kind, in a fixed order. */
export function describeWaiting(entries: readonly QueuedWrite[]): string {
  const waiting = entries.filter((e) => e.state === 'waiting');
  if (waiting.length === 0) return 'nothing waiting';
  const parts = (Object.keys(NOUNS) as QueueKind[]).flatMap((kind) => {
    const n = waiting.filter((e) => e.kind === kind).length;
    return n === 0 ? [] : [`${n} ${NOUNS[kind][n === 1 ? 0 : 1]}`];
  });
  return `${parts.join(', ')} waiting`;
}

/** The banner's first line, or null when there is nothing to say. */
export function bannerHeadline(state: { online: boolean; entries: readonly QueuedWrite[]; needsSignIn: boolean }): string | null {
  const waiting = describeWaiting(state.entries);
  if (!state.online) return `offline — ${waiting}`;
  if (state.needsSignIn) return `signed out — sign in again to send ${waiting.replace(/ waiting$/, '')}`;
  if (state.entries.some((e) => e.state === 'waiting')) return `sending — ${waiting}`;
  return null;
}
