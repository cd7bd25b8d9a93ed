import { describe, expect, it } from 'vitest';
import { WedgeDetector } from './wedge.ts';

/** Feeds keys with the given gaps (ms) before each; returns the scans seen. */
function feed(detector: WedgeDetector, keys: Array<[string, number]>, start = 1000): string[] {
  const scans: string[] = [];
  let t = start;
  for (const [key, gap] of keys) {
    t += gap;
    const result = detector.push(key, t);
    if (result.kind === 'scan') scans.push(result.code);
  }
  return scans;
}

const burst = (code: string, gapMs: number): Array<[string, number]> => [...[...code].map((c): [string, number] => [c, gapMs]), ['Enter', gapMs]];

describe('keyboard-wedge detector', () => {
  it('takes a fast burst ending in Enter as a scan', () => {
    expect(feed(new WedgeDetector(), burst('4006381333931', 8))).toEqual(['4006381333931']);
  });

  it('takes Bluetooth scanners that send a key every 30-45 ms', () => {
    expect(feed(new WedgeDetector(), burst('ABC-123', 45))).toEqual(['ABC-123']);
  });

  it('leaves a person typing alone, even a fast typist', () => {
    expect(feed(new WedgeDetector(), burst('4006381333931', 120))).toEqual([]);
    // Two quick keys then a pause: not a scan.
    expect(feed(new WedgeDetector(), [['a', 100], ['b', 20], ['c', 150], ['d', 90], ['Enter', 100]])).toEqual([]);
  });

  it('needs a minimum length, so a quick "ok" + Enter is not a scan', () => {
    expect(feed(new WedgeDetector(), burst('ok', 5))).toEqual([]);
    expect(feed(new WedgeDetector({ minLength: 2 }), burst('ok', 5))).toEqual(['ok']);
  });

  it('starts over when typing was followed by a scan, and keeps only the burst', () => {
    const keys: Array<[string, number]> = [['h', 0], ['e', 150], ['l', 140], ...burst('12345678', 6).map(([k, g], i): [string, number] => [k, i === 0 ? 200 : g])];
    expect(feed(new WedgeDetector(), keys)).toEqual(['12345678']);
  });

  it('ignores Shift inside a burst (capitals) but not other keys', () => {
    const keys: Array<[string, number]> = [['Shift', 2], ['A', 3], ['B', 5], ['Shift', 2], ['C', 3], ['1', 5], ['Enter', 5]];
    expect(feed(new WedgeDetector(), keys)).toEqual(['ABC1']);
    expect(feed(new WedgeDetector(), [['A', 3], ['B', 5], ['ArrowLeft', 5], ['C', 3], ['D', 3], ['Enter', 5]])).toEqual([]);
  });

  it('reads two scans back to back', () => {
    expect(feed(new WedgeDetector(), [...burst('11112222', 5), ...burst('33334444', 5).map(([k, g], i): [string, number] => [k, i === 0 ? 300 : g])])).toEqual([
      '11112222',
      '33334444',
    ]);
  });

  it('does not count an Enter long after a burst', () => {
    expect(feed(new WedgeDetector(), [...[...'12345678'].map((c): [string, number] => [c, 5]), ['Enter', 400]])).toEqual([]);
  });

  it('shows what a burst has typed so far, so it can be taken back out of a field', () => {
    const d = new WedgeDetector();
    feed(d, [['9', 5], ['8', 5], ['7', 5]]);
    expect(d.pending).toBe('987');
  });
});
