import { describe, expect, it } from 'vitest';
import { dateOf, GROUP_SEPARATOR as GS, looksLikeGs1, parseGs1 } from './gs1.ts';

const now = Date.UTC(2026, 10, 2);

describe('GS1 element strings', () => {
  // The General Specifications' running example: GTIN, expiry 4 July 2014, batch AB-123.
  const expected = { gtin: '09501101530003', expiresOn: '2014-07-04', lot: 'AB-123', serial: null, count: null, unknown: [], problems: [] };

  it('reads the human-readable form (01)09501101530003(17)140704(10)AB-123', () => {
    expect(parseGs1('(01)09501101530003(17)140704(10)AB-123', now)).toMatchObject({ symbology: null, ...expected });
  });

  it('reads the scanned GS1-128 form, where the predefined-length fields need no separator', () => {
    expect(parseGs1(']C10109501101530003171407041' + '0AB-123', now)).toMatchObject({ symbology: 'gs1-128', ...expected });
  });

  it('ends a variable-length field at the FNC1 group separator', () => {
    const scanned = `]C1010950110153000310AB-123${GS}17140704`;
    expect(parseGs1(scanned, now)).toMatchObject({ ...expected });
    expect(parseGs1(scanned, now).elements.map((e) => e.ai)).toEqual(['01', '10', '17']);
  });

  it('reads a GS1 DataMatrix with a serial number and a leading FNC1', () => {
    const scanned = `]d2${GS}0109501101530003211234ABC${GS}17261200${GS}10L-77`;
    expect(parseGs1(scanned, now)).toMatchObject({ symbology: 'gs1-datamatrix', gtin: '09501101530003', serial: '1234ABC', expiresOn: '2026-12-31', lot: 'L-77' });
  });

  it('reads a count of trade items (AI 30 and AI 37 with content AI 02)', () => {
    expect(parseGs1(`(01)09501101530003(30)24`, now)).toMatchObject({ gtin: '09501101530003', count: 24 });
    expect(parseGs1(`]C10209501101530003376${GS}10B1`, now)).toMatchObject({ gtin: '09501101530003', count: 6, lot: 'B1' });
  });

  it('applies the DD=00 rule: the last day of the month, leap years included', () => {
    expect(dateOf('140700', now)).toBe('2014-07-31');
    expect(dateOf('240200', now)).toBe('2024-02-29');
    expect(dateOf('250200', now)).toBe('2025-02-28');
    expect(dateOf('251231', now)).toBe('2025-12-31');
    expect(dateOf('250230', now)).toBeNull();
    expect(dateOf('251301', now)).toBeNull();
  });

  it('picks the century by the 50-year sliding window of §7.12', () => {
    // In 2026: 76 is 50 ahead (this century), 77 is 51 ahead (the previous one).
    expect(dateOf('760101', now)).toBe('2076-01-01');
    expect(dateOf('770101', now)).toBe('1977-01-01');
    expect(dateOf('990101', Date.UTC(2049, 0, 1))).toBe('2099-01-01');
    expect(dateOf('000101', Date.UTC(2099, 0, 1))).toBe('2100-01-01');
  });

  it('reports unknown application identifiers without failing', () => {
    const parsed = parseGs1(`(01)09501101530003(91)INTERNAL-7(8200)X(10)L1`, now);
    expect(parsed).toMatchObject({ gtin: '09501101530003', lot: 'L1', problems: [] });
    expect(parsed.unknown).toEqual([
      { ai: '91', title: null, value: 'INTERNAL-7' },
      { ai: '8200', title: null, value: 'X' },
    ]);
    const scanned = parseGs1(`]C10109501101530003${GS}91ABC${GS}10L2`, now);
    expect(scanned).toMatchObject({ lot: 'L2', unknown: [{ ai: '91', value: 'ABC' }] });
  });

  it('flags a wrong check digit, an impossible date, an overlong lot and an unassigned prefix', () => {
    expect(parseGs1('(01)09501101530004', now).problems).toEqual([{ ai: '01', message: expect.stringContaining('check digit') }]);
    expect(parseGs1('(01)09501101530003(17)141332', now)).toMatchObject({ gtin: '09501101530003', expiresOn: null, problems: [{ ai: '17' }] });
    expect(parseGs1(`(10)${'X'.repeat(21)}`, now).problems).toEqual([{ ai: '10', message: expect.stringContaining('20') }]);
    expect(parseGs1(']C15512345', now).problems).toHaveLength(1);
    expect(parseGs1(']C101095011015', now).problems).toEqual([{ ai: '01', message: expect.stringContaining('14') }]);
  });

  it('uses AI 15 (best before) as the expiry when there is no AI 17', () => {
    expect(parseGs1('(01)09501101530003(15)270600', now).expiresOn).toBe('2027-06-30');
  });

  it('tells element strings from plain barcodes', () => {
    expect(looksLikeGs1(']C101095011015300031714070410AB-123')).toBe(true);
    expect(looksLikeGs1('(01)09501101530003')).toBe(true);
    expect(looksLikeGs1(`010950110153000310A${GS}17140704`)).toBe(true);
    expect(looksLikeGs1('4006381333931')).toBe(false);
    expect(looksLikeGs1('BEAN-ESP-1KG')).toBe(false);
  });
});

describe('GS1 check digit of the example GTIN', () => {
  it('is valid', () => {
    expect(parseGs1('(01)09501101530003', now).problems).toEqual([]);
  });
});
