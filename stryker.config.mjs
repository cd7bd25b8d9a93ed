// @ts-check
import fs from 'node:fs';
/**
 * Mutation testing of the core with StrykerJS: `npm run test:mutation [target…]` (see
 * docs/testing.md). One target per run keeps a run bounded on a small machine; each target has
 * its own incremental file, so re-running it re-tests only mutants whose code or covering tests
 * changed. Reports and incremental files go to reports/mutation/ (gitignored: they are
 * machine-local caches of a run, large and different on every branch).
 */
/**
 * Each target: the files it mutates and the test files that may kill its mutants. Stryker runs
 * only the tests that cover a mutant, but every covering file re-runs its `beforeAll` (a fresh
 * database, migrations, an app) for every mutant, so each target gets the fast files that aim at
 * it rather than the whole suite. A mutant these miss counts as surviving: the score is a floor.
 */
/**
 * The site checks of the document modules, as line ranges found in the source, so they follow
 * the code when it moves: every line that asks whether the caller may see a site (`canSeeSite`,
 * `orderVisible`, `returnVisible`, `channelVisibleTo`, `actor.sites`), and, where such a line
 * opens a block (a list filter, the `orderVisible`, `returnVisible` and `channelVisibleTo`
 * functions, a multi-line `if`), the whole block.
 * Imports are left out. The rest of these files is other targets' business, or none yet.
 */
const siteCheckFiles = [
  'src/modules/sales/sale-records.service.ts',
  'src/modules/sales/returns.service.ts',
  'src/modules/sales/orders.service.ts',
  'src/modules/fulfillment/pick-lists.service.ts',
  'src/modules/fulfillment/shipments.service.ts',
  'src/modules/purchasing/purchase-orders.service.ts',
  'src/modules/purchasing/receipts.service.ts',
  'src/modules/purchasing/receipt-posting.service.ts',
  'src/modules/purchasing/vendor-returns.service.ts',
  'src/modules/adjustments/adjustments.service.ts',
  'src/modules/counts/counts.service.ts',
  'src/modules/transfers/transfers.service.ts',
  'src/modules/production/production-orders.service.ts',
  'src/modules/production/disassembly.service.ts',
  'src/modules/reports/saved-reports.service.ts',
  'src/modules/alerts/alerts.service.ts',
  'src/modules/sales/channels.service.ts',
];
/**
 * The site checks of reports and other reads with no by-id document route: figures summed over
 * the caller's sites, levels and proposals, and the writes that need a grant for every site. Kept
 * apart from `siteCheckFiles` so the `sites` target's run does not grow.
 */
const readSiteCheckFiles = [
  'src/modules/sales/sales-totals.service.ts',
  'src/modules/sales/item-sales.service.ts',
  'src/modules/voice/voice.service.ts',
  'src/modules/counts/count-reports.service.ts',
  'src/modules/purchasing/on-order.service.ts',
  'src/modules/replenishment/levels.service.ts',
  'src/modules/replenishment/proposals.service.ts',
  'src/modules/reports/report-scope.ts',
  'src/modules/reports/stock-status.service.ts',
  'src/modules/reports/valuation.service.ts',
  'src/modules/reports/valuation-by-lot.service.ts',
  'src/modules/reports/inventory-change.service.ts',
  'src/modules/transfers/bin-moves.service.ts',
  'src/modules/labels/labels.service.ts',
  'src/modules/tax/tax.service.ts',
  'src/modules/locations/locations.service.ts',
  'src/modules/sales/modifier-sales.service.ts',
  'src/modules/sales/availability.service.ts',
  'src/modules/pricing/pricing.service.ts',
  'src/modules/purchasing/vendor-performance.service.ts',
  'src/modules/costing/cost-layers.service.ts',
  'src/modules/integrations/google/local-inventory.service.ts',
  'src/modules/integrations/quickbooks/sync.service.ts',
  'src/modules/forecasting/forecast-accuracy.service.ts',
  'src/modules/imports/imports.check.ts',
  'src/modules/imports/imports.service.ts',
  'src/modules/imports/kinds/stock-levels.ts',
  'src/modules/production/production-plan.service.ts',
  'src/modules/notifications/webhook-subscriptions.service.ts',
];
const siteCheck = /canSeeSite\(|orderVisible\(|returnVisible\(|channelVisibleTo\(|actor\.sites/;

/** `file:from-to` for each site check in `file` (1-based lines, as Stryker takes them). */
function siteCheckRanges(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const ranges = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (!siteCheck.test(line) || line.startsWith('import ')) continue;
    let end = i;
    if (line.trimEnd().endsWith('{')) {
      const indent = line.length - line.trimStart().length;
      while (end + 1 < lines.length && !(lines[end + 1].startsWith('}', indent) && lines[end + 1].length - lines[end + 1].trimStart().length === indent)) end += 1;
      end += 1;
    }
    ranges.push(`${file}:${i + 1}-${end + 1}`);
    i = end;
  }
  return ranges;
}

const targets = {
  ledger: {
    mutate: ['src/modules/ledger/**/*.ts'],
    tests: ['src/modules/ledger/**/*.test.ts', 'test/ledger-concurrency.test.ts', 'test/ledger.property.test.ts', 'src/modules/costing/costing.test.ts', 'src/modules/fulfillment/**/*.test.ts', 'test/http/stock-api.test.ts', 'test/http/ledger-routes.test.ts'],
  },
  costing: {
    mutate: ['src/modules/costing/**/*.ts'],
    tests: ['src/modules/costing/**/*.test.ts', 'src/modules/ledger/ledger.test.ts', 'src/modules/purchasing/landed-costs.test.ts', 'src/modules/purchasing/receipts.test.ts', 'test/ledger.property.test.ts', 'test/cost-checkpoints.property.test.ts'],
  },
  http: {
    mutate: ['src/platform/http/**/*.ts'],
    tests: ['src/platform/**/*.test.ts', 'test/http/idempotency-scope.test.ts', 'test/http/stock-api.test.ts', 'test/http/limits.test.ts'],
  },
  access: {
    mutate: ['src/modules/access/**/*.ts', 'src/platform/context.ts'],
    tests: ['src/modules/access/**/*.test.ts', 'src/platform/context.test.ts', 'test/http/access-glue.test.ts', 'test/http/access-matrix.test.ts', 'test/http/tokens.test.ts', 'test/http/users.test.ts', 'test/http/sessions.test.ts', 'test/http/audit.test.ts'],
  },
  // test/http/object-access-matrix.test.ts kills these too, through the API, at a minute a mutant.
  sites: {
    mutate: siteCheckFiles.flatMap(siteCheckRanges),
    tests: ['test/site-checks.test.ts', 'test/site-checks-stock.test.ts'],
  },
  'sites-reads': {
    mutate: readSiteCheckFiles.flatMap(siteCheckRanges),
    tests: ['test/site-checks-reads.test.ts'],
  },
};

const target = process.env.STRYKER_TARGET ?? 'ledger';
const chosen = targets[/** @type {keyof typeof targets} */ (target)];
if (!chosen) throw new Error(`STRYKER_TARGET=${target}: choose one of ${Object.keys(targets).join(', ')}`);
// Read by vitest.mutation.config.ts in the test runner processes, which inherit this environment.
process.env.MUTATION_TESTS ??= chosen.tests.join(',');
/**
 * `perTest` runs a mutant against the tests that reached it, but code run in a `beforeAll` (an
 * app's route registration) is reached by no test: such mutants look static or covered only by
 * the tests that build their own app, and survive. STRYKER_COVERAGE=all runs every test of the
 * set against every mutant instead (slower; Stryker then cannot tell static mutants apart).
 */
const everyTest = process.env.STRYKER_COVERAGE === 'all';
// Names the run's folders; two runs of one target at once (on different files) need different names.
const run = process.env.STRYKER_RUN ?? target;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  // TypeScript 7 ships no compiler API (its package exports only the version), so
  // @stryker-mutator/typescript-checker cannot load it; mutants that do not type-check run and
  // are killed (or not) by the tests, like any other.
  checkers: [],
  // Stryker rewrites `extends`/`references` of the tsconfig it is given with the TypeScript API,
  // which TypeScript 7 lacks; ours has neither, so point it at no file and skip the rewrite.
  tsconfigFile: 'tsconfig.none.json',
  mutate: [...chosen.mutate, '!**/*.test.ts'],
  coverageAnalysis: everyTest ? 'all' : 'perTest',
  // Two cores shared with other work: one or two test workers at most.
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  // A mutant in a module-level constant needs every test re-run in a fresh process; not worth it here.
  ignoreStatic: !everyTest,
  incremental: true,
  incrementalFile: `reports/mutation/${run}/stryker-incremental.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${run}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${run}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: `.stryker-tmp/${run}`,
  cleanTempDir: true,
  // Anchored (gitignore syntax): a bare 'reports' would also drop src/modules/reports, and a test
  // file that cannot import its code is left out by the vitest runner without a word.
  ignorePatterns: ['/.stryker-tmp', '/dist', '/web', '/bench', '/data', '/scratch', '/test-artifacts', '/reports', '/test/browser', '/test/reliability'],
  // Generous: on a loaded machine a slow run must not pass for a mutant that loops.
  timeoutMS: 30_000,
  thresholds: { high: 90, low: 80, break: null },
};
