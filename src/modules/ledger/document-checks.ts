import type { Database } from '../../platform/db/database.ts';

/**
 * Invariants that documents built on the ledger add to `stockroom check` (every approved count
 * line posted its variance; every transit balance belongs to an open transfer). The ledger knows
 * nothing of those documents, so each module registers its check once, when its index is loaded,
 * the way stock observers are registered.
 */
export interface DocumentInvariant {
  name: string;
  description: string;
  ok: boolean;
  violations: Array<Record<string, unknown>>;
}

export interface DocumentCheck {
  /** Names the check so that registering it twice keeps one. */
  name: string;
  check(db: Database): Promise<DocumentInvariant[]>;
}

const checks = new Map<string, DocumentCheck>();

export function registerDocumentCheck(check: DocumentCheck): void {
  checks.set(check.name, check);
}

export async function runDocumentChecks(db: Database): Promise<DocumentInvariant[]> {
  const results: DocumentInvariant[] = [];
  for (const check of checks.values()) results.push(...(await check.check(db)));
  return results;
}
