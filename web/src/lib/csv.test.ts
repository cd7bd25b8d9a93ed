import { describe, expect, it } from 'vitest';
import { csvCell, rowsToCsv } from './csv.ts';

describe('list exports', () => {
  it('makes formula-like text inert but keeps negative numbers', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('-A1')).toBe("'-A1");
    expect(csvCell('-2.50')).toBe('-2.50');
    expect(csvCell(-3)).toBe('-3');
  });

  it('writes a BOM, a header of every key, CRLF rows, and quotes what needs it', () => {
    const csv = rowsToCsv([{ sku: 'A,1', qty: 2 }, { sku: 'B "x"', note: null, location: { id: 'loc_1' } }]);
    expect(csv).toBe('\uFEFFsku,qty,note,location\r\n"A,1",2,,\r\n"B ""x""",,,loc_1\r\n');
  });
});
