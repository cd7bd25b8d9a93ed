import { describe, expect, it } from 'vitest';
import { BatchDigest, ValidatedBatches, type FileBatch } from './imports.batches.ts';

type Row = { row: number; sku: string };

function batchOf(rows: Array<[number, string]>): FileBatch<Row> {
  const digest = new BatchDigest();
  for (const [, sku] of rows) digest.add([sku, 'Name']);
  return { rows: rows.map(([row, sku]) => ({ row, sku })), errors: [], ...digest.take() };
}

async function* fileOf(...batches: Array<FileBatch<Row>>): AsyncGenerator<FileBatch<Row>> {
  yield* batches;
}

async function replayed(validated: ValidatedBatches<Row>, again: () => AsyncIterable<FileBatch<Row>>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const rows of validated.replay(again, 'imp_test')) out.push(rows.map((r) => r.sku));
  return out;
}

describe('validated batches', () => {
  const first = batchOf([[2, 'A'], [3, 'B']]);
  const second = batchOf([[4, 'C']]);

  it('gives back the rows the dry run kept, without reading the file again', async () => {
    const validated = new ValidatedBatches<Row>(true);
    validated.add(first);
    validated.add(second);
    expect(validated.rereads).toBe(false);
    expect(await replayed(validated, () => { throw new Error('read again'); })).toEqual([['A', 'B'], ['C']]);
  });

  it('reads a file too big to keep again, batch by batch as the dry run read it', async () => {
    const validated = new ValidatedBatches<Row>(true, 1);
    validated.add(first);
    validated.add(second);
    expect(validated.rereads).toBe(true);
    expect(await replayed(validated, () => fileOf(batchOf([[2, 'A'], [3, 'B']]), batchOf([[4, 'C']])))).toEqual([['A', 'B'], ['C']]);
  });

  it('stops at the first batch that changed since the dry run, and at a file that got shorter', async () => {
    const validated = new ValidatedBatches<Row>(true, 1);
    validated.add(first);
    validated.add(second);
    const applied: string[][] = [];
    const changed = validated.replay(() => fileOf(first, batchOf([[4, 'D']])), 'imp_test');
    await expect((async () => { for await (const rows of changed) applied.push(rows.map((r) => r.sku)); })()).rejects.toMatchObject({ code: 'import_batch_failed', extra: { import_id: 'imp_test', first_row: 4 } });
    expect(applied).toEqual([['A', 'B']]);
    await expect(replayed(validated, () => fileOf(first))).rejects.toMatchObject({ code: 'import_batch_failed' });
  });
});
