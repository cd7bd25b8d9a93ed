import { describe, expect, it } from 'vitest';
import { isId, newId } from './ids.ts';

describe('newId', () => {
  it('makes distinct, prefixed ids that sort in creation order within one millisecond', () => {
    const ids = Array.from({ length: 50 }, () => newId('itm', 1_700_000_000_000));
    expect(new Set(ids).size).toBe(50);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(isId(id, 'itm')).toBe(true);
  });

  it('draws fresh randomness past its pool (4 KiB, 256 ids of 16 characters)', () => {
    // Different milliseconds, so the monotonic factory draws a new random part for each id.
    const randomParts = Array.from({ length: 2_000 }, (_, i) => newId('mov', 1_700_000_000_000 + i * 2).slice(-16));
    expect(new Set(randomParts).size).toBe(2_000);
    const symbols = new Set(randomParts.join(''));
    // Crockford's base 32: every symbol turns up among 32,000 random characters.
    expect(symbols.size).toBe(32);
    const firstHalf = new Set(randomParts.slice(0, 256));
    expect(randomParts.slice(256, 512).some((part) => firstHalf.has(part))).toBe(false);
  });
});
