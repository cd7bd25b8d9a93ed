import { describe, expect, it } from 'vitest';
import { bannerHeadline, describeWaiting } from './banner-text.ts';
import type { QueuedWrite } from './queue.ts';

const entry = (kind: QueuedWrite['kind'], state: QueuedWrite['state'] = 'waiting') => ({ kind, state }) as QueuedWrite;

describe('offline banner', () => {
  it('counts what waits by kind, leaving held writes out', () => {
    expect(describeWaiting(Array.from({ length: 7 }, () => entry('sale')))).toBe('7 sales waiting');
    expect(describeWaiting([entry('receipt'), entry('sale'), entry('sale'), entry('sale', 'held')])).toBe('2 sales, 1 receipt waiting');
    expect(describeWaiting([])).toBe('nothing waiting');
  });

  it('says offline first, then a lost session, then sending, and nothing when all is sent', () => {
    const entries = [entry('sale'), entry('sale')];
    expect(bannerHeadline({ online: false, entries, needsSignIn: false })).toBe('offline — 2 sales waiting');
    expect(bannerHeadline({ online: true, entries, needsSignIn: true })).toBe('signed out — sign in again to send 2 sales');
    expect(bannerHeadline({ online: true, entries, needsSignIn: false })).toBe('sending — 2 sales waiting');
    expect(bannerHeadline({ online: true, entries: [], needsSignIn: false })).toBeNull();
  });
});
