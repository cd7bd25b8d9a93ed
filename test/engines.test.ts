import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm install` on the oldest Node the project declares must not warn EBADENGINE: every package
 * the lockfile installs (runtime, build and test alike) must accept that Node version.
 */
const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));

type Version = [number, number, number];

function parse(text: string): { version: Version; parts: number } {
  const pieces = text.replace(/^v/, '').split('.').filter((p) => p !== '' && !/^[x*]$/i.test(p));
  const numbers = pieces.map(Number);
  return { version: [numbers[0] ?? 0, numbers[1] ?? 0, numbers[2] ?? 0], parts: numbers.length };
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Whether `version` satisfies one comparator: >=1.2, <3, ^1.2.3, ~1.2, 20.x, 20, *. */
function satisfiesComparator(version: Version, comparator: string): boolean {
  if (comparator === '*' || comparator === '') return true;
  const match = /^(>=|<=|>|<|\^|~|=)?\s*(.+)$/.exec(comparator)!;
  const op = match[1] ?? '';
  const { version: bound, parts } = parse(match[2]!);
  const upper = (index: number): Version => (index === 0 ? [bound[0] + 1, 0, 0] : index === 1 ? [bound[0], bound[1] + 1, 0] : [bound[0], bound[1], bound[2] + 1]);
  switch (op) {
    case '>=':
      return compare(version, bound) >= 0;
    case '>':
      return compare(version, bound) > 0;
    case '<=':
      return compare(version, bound) <= 0;
    case '<':
      return compare(version, bound) < 0;
    case '^': {
      const firstNonZero = bound[0] !== 0 ? 0 : bound[1] !== 0 ? 1 : 2;
      return compare(version, bound) >= 0 && compare(version, upper(Math.min(firstNonZero, parts - 1))) < 0;
    }
    case '~':
      return compare(version, bound) >= 0 && compare(version, upper(Math.min(1, parts - 1))) < 0;
    default:
      // A bare or x-range version: 20, 20.x, 20.19.0.
      return compare(version, bound) >= 0 && compare(version, upper(Math.max(0, parts - 1))) < 0;
  }
}

function satisfies(versionText: string, range: string): boolean {
  const version = parse(versionText).version;
  return range.split('||').some((set) => {
    const comparators = set.trim().replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1').split(/\s+/);
    return comparators.every((c) => satisfiesComparator(version, c));
  });
}

describe('engines', () => {
  const minimum = parse(String(pkg.engines.node).replace(/^>=\s*/, '')).version.join('.');

  it('reads ranges as npm does', () => {
    expect(satisfies('20.19.0', '>=22')).toBe(false);
    expect(satisfies('20.19.0', '>= 24.0.0')).toBe(false);
    expect(satisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('20.19.0', '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true);
    expect(satisfies('20.19.0', '20.x || 22.x')).toBe(true);
    expect(satisfies('20.19.0', '18 || 20 || >=22')).toBe(true);
    expect(satisfies('20.19.0', '>=20.18.1')).toBe(true);
    expect(satisfies('20.19.0', '>=20.20')).toBe(false);
    expect(satisfies('20.19.0', '>=16 || 14 >=14.17')).toBe(true);
    expect(satisfies('20.19.0', '^18.0.0')).toBe(false);
    expect(satisfies('20.19.0', '~20.18.0')).toBe(false);
  });

  it(`installs nothing that refuses the oldest Node the project declares (${pkg.engines.node})`, () => {
    expect(pkg.engines.node).toMatch(/^>=\s*\d+\.\d+/);
    const refusing = Object.entries<any>(lock.packages)
      .filter(([, info]) => info.engines?.node && !satisfies(minimum, info.engines.node))
      .map(([name, info]) => `${name}@${info.version} wants node ${info.engines.node}`);
    expect(refusing).toEqual([]);
  });
});
