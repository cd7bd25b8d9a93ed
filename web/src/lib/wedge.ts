/**
 * Tells a keyboard-wedge barcode scanner from a person typing. A USB or Bluetooth scanner
 * "types" the code as a burst of keystrokes a few milliseconds apart and ends it with Enter;
 * a person leaves 80 ms or more between keys. A burst of at least `minLength` characters,
 * each within `maxGapMs` of the one before, followed by Enter within `maxGapMs`, is a scan.
 */

export interface WedgeOptions {
  /** Longest pause between two keys of one scan. Bluetooth scanners need more than USB ones. */
  maxGapMs?: number;
  /** Shorter bursts are typing (fast typists manage two or three keys that quickly). */
  minLength?: number;
}

export type WedgeResult = { kind: 'scan'; code: string; startedAt: number } | { kind: 'key' } | { kind: 'ignored' };

export class WedgeDetector {
  private readonly maxGapMs: number;
  private readonly minLength: number;
  private buffer = '';
  private lastAt = -Infinity;
  private startedAt = 0;

  constructor(options: WedgeOptions = {}) {
    this.maxGapMs = options.maxGapMs ?? 50;
    this.minLength = options.minLength ?? 4;
  }

  /** Feed every keydown: its `key` and its time in ms. Returns a scan when Enter ends a burst. */
  push(key: string, at: number): WedgeResult {
    const gap = at - this.lastAt;
    if (key === 'Enter') {
      const code = this.buffer;
      const isScan = code.length >= this.minLength && gap <= this.maxGapMs;
      this.reset();
      return isScan ? { kind: 'scan', code, startedAt: this.startedAt } : { kind: 'key' };
    }
    // Shift (for capitals) and other modifiers arrive inside a burst; they neither add nor break it.
    if (key.length !== 1) {
      if (key === 'Shift' || key === 'Control' || key === 'Alt' || key === 'Meta' || key === 'CapsLock') return { kind: 'ignored' };
      this.reset();
      return { kind: 'key' };
    }
    if (gap > this.maxGapMs || this.buffer === '') {
      this.buffer = key;
      this.startedAt = at;
    } else {
      this.buffer += key;
    }
    this.lastAt = at;
    return { kind: 'key' };
  }

  /** The characters of the burst so far, so a caller can take them back out of a text field. */
  get pending(): string {
    return this.buffer;
  }

  reset(): void {
    this.buffer = '';
    this.lastAt = -Infinity;
  }
}
