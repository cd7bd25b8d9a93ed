import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `npm run test:mutation [target…]`: runs Stryker over each core target in turn (all of them
 * when none is named) and prints the mutation score of each. SQLite only unless
 * STOCKROOM_TEST_DIALECTS says otherwise: the PostgreSQL half doubles the time and the
 * regular suite runs every test on both databases anyway.
 */
const TARGETS = ['ledger', 'costing', 'http', 'access', 'sites', 'sites-reads'] as const;

const named = process.argv.slice(2);
const unknown = named.filter((t) => !(TARGETS as readonly string[]).includes(t));
if (unknown.length) {
  console.error(`Unknown target ${unknown.join(', ')}; choose from ${TARGETS.join(', ')}.`);
  process.exit(2);
}
const targets = named.length ? named : [...TARGETS];

interface MutantResult {
  status: string;
}
interface MutationReport {
  files: Record<string, { mutants: MutantResult[] }>;
}

/** Killed and timed-out mutants over all that were valid (compile and runtime errors are not). */
function scoreOf(report: MutationReport): { detected: number; undetected: number; score: number } {
  let detected = 0;
  let undetected = 0;
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      if (mutant.status === 'Killed' || mutant.status === 'Timeout') detected += 1;
      else if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') undetected += 1;
    }
  }
  const total = detected + undetected;
  return { detected, undetected, score: total === 0 ? 100 : (100 * detected) / total };
}

const summary: string[] = [];
let failed = false;
for (const target of targets) {
  const started = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, STRYKER_TARGET: target, STOCKROOM_TEST_DIALECTS: process.env.STOCKROOM_TEST_DIALECTS ?? 'sqlite' },
  });
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const reportFile = path.join('reports', 'mutation', target, 'mutation.json');
  if (run.status !== 0 || !fs.existsSync(reportFile)) {
    failed = true;
    summary.push(`${target}: stryker exited with ${run.status} after ${minutes} min`);
    continue;
  }
  const { detected, undetected, score } = scoreOf(JSON.parse(fs.readFileSync(reportFile, 'utf8')) as MutationReport);
  summary.push(`${target}: ${score.toFixed(1)} % (${detected} detected, ${undetected} survived or uncovered) in ${minutes} min — reports/mutation/${target}/index.html`);
}
console.log(`\nMutation scores\n${summary.map((line) => `  ${line}`).join('\n')}`);
process.exit(failed ? 1 : 0);
