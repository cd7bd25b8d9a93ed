import { expect } from 'vitest';
import { LedgerError } from '../../src/modules/ledger/index.ts';

/** Awaits a posting that must be refused, checks it was the ledger refusing it with `code`, and hands the error on. */
export async function expectLedgerError(promise: Promise<unknown>, code: string): Promise<LedgerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LedgerError);
  expect((error as LedgerError).code).toBe(code);
  return error as LedgerError;
}
