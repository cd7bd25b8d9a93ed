import { createHash, type Hash } from 'node:crypto';
import { ImportError } from './imports.errors.ts';
import type { RowError } from './imports.rows.ts';

/**
 * The batches an apply writes are the batches its dry run validated. While they are small they are
 * kept from the dry run, so the file is read and parsed once and nothing can change between the
 * check and the write. A bigger file is read again, and each batch must hash to what the dry run
 * read: a file changed in between stops the apply at the first batch that differs, instead of
 * writing rows nobody checked.
 */

export interface FileBatch<R> {
  rows: R[];
  errors: RowError[];
  /** Hash of the batch's cells as read from the file. */
  fingerprint: string;
  /** Rough heap cost of keeping the parsed rows. */
  bytes: number;
}

/** What parsed rows may hold between the dry run and the apply (a 100,000-row catalogue takes about 55 MB). */
export const KEPT_BYTES_MAX = 128 * 2 ** 20;
/** A parsed row's objects beyond the text of its cells. */
const rowOverheadBytes = 400;

/** Collects a batch's cells into its fingerprint and size. */
export class BatchDigest {
  private hash: Hash = createHash('sha256');
  private size = 0;

  add(cells: readonly string[]): void {
    let length = 0;
    for (const cell of cells) length += cell.length;
    this.hash.update(cells.join('\u0000')).update('\u0001');
    this.size += rowOverheadBytes + 2 * length;
  }

  /** The batch's fingerprint and size, and a fresh start for the next batch. */
  take(): { fingerprint: string; bytes: number } {
    const taken = { fingerprint: this.hash.digest('hex'), bytes: this.size };
    this.hash = createHash('sha256');
    this.size = 0;
    return taken;
  }
}

export class ValidatedBatches<R extends { row: number }> {
  private kept: R[][] | null;
  private keptBytes = 0;
  private readonly fingerprints: string[] = [];

  /** `keep`: false for a dry run, which applies nothing. */
  constructor(keep: boolean, private readonly bytesMax = KEPT_BYTES_MAX) {
    this.kept = keep ? [] : null;
  }

  /** Records a batch the dry run validated. */
  add(batch: FileBatch<R>): void {
    this.fingerprints.push(batch.fingerprint);
    if (!this.kept) return;
    this.keptBytes += batch.bytes;
    if (this.keptBytes > this.bytesMax) this.kept = null;
    else this.kept.push(batch.rows);
  }

  /** Whether the apply reads the file again (exported for the tests). */
  get rereads(): boolean {
    return this.kept === null;
  }

  /** The validated batches' rows, in order: those kept, or the file read again and matched batch by batch. */
  async *replay(readAgain: () => AsyncIterable<FileBatch<R>>, importId: string): AsyncGenerator<R[]> {
    if (this.kept) {
      const kept = this.kept;
      this.kept = null;
      // Dropped as they are applied, so the memory goes down as the apply goes on.
      while (kept.length) yield kept.shift()!;
      return;
    }
    let i = 0;
    for await (const batch of readAgain()) {
      if (batch.fingerprint !== this.fingerprints[i]) throw changed(importId, batch.rows[0]?.row ?? batch.errors[0]?.row);
      i += 1;
      yield batch.rows;
    }
    if (i !== this.fingerprints.length) throw changed(importId, undefined);
  }
}

function changed(importId: string, row: number | undefined): ImportError {
  const where = row === undefined ? 'it is shorter now' : `rows from ${row} on differ`;
  return new ImportError('import_batch_failed', `The file changed after it was checked: ${where}. Rows before them were applied; check the file and import it again.`, {
    extra: { import_id: importId, ...(row === undefined ? {} : { first_row: row }) },
  });
}
