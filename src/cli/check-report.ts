import type { LedgerCheckReport } from '../modules/ledger/index.ts';

export function printCheckReport(report: LedgerCheckReport): void {
  const { movements, balances, reservations } = report.counts;
  console.log(`Checked ${movements} movements, ${balances} balances and ${reservations} reservations.`);
  for (const invariant of report.invariants) {
    console.log(`${invariant.ok ? 'ok  ' : 'FAIL'}  ${invariant.name}: ${invariant.description}`);
    for (const violation of invariant.violations) console.log(`        ${JSON.stringify(violation)}`);
  }
  console.log(report.ok ? 'The ledger is consistent.' : 'The ledger is NOT consistent: see the failures above.');
}

