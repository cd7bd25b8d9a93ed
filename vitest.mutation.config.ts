import { defineConfig } from 'vitest/config';

/**
 * The tests a mutation run may use: the fast ones that exercise the core (ledger, costing, the
 * HTTP platform, access and the site checks). Stryker runs only the tests that cover a mutant,
 * one mutant after another, so a slow file here costs minutes: the CLI tests (child processes),
 * the web, browser and reliability suites stay out. `npm run test:mutation` runs it on SQLite
 * only (STOCKROOM_TEST_DIALECTS=sqlite); the regular suite runs all of it on both databases.
 * stryker.config.mjs narrows the list per target through MUTATION_TESTS (comma-separated globs);
 * the list below is what a run without it uses.
 */
export default defineConfig({
  test: {
    include: process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(',') : [
      'src/modules/ledger/**/*.test.ts',
      'src/modules/costing/**/*.test.ts',
      'src/modules/access/**/*.test.ts',
      'src/modules/adjustments/**/*.test.ts',
      'src/modules/fulfillment/**/*.test.ts',
      'src/modules/sales/orders.test.ts',
      'src/modules/sales/returns.test.ts',
      'src/modules/purchasing/receipts.test.ts',
      'src/modules/purchasing/landed-costs.test.ts',
      'src/platform/**/*.test.ts',
      'src/modules/purchasing/vendors.test.ts',
      'test/ledger.property.test.ts',
      'test/ledger-concurrency.test.ts',
      'test/site-checks.test.ts',
      'test/http/**/*.test.ts',
    ],
    // A thousand requests to show keys hold under load; idempotency-scope.test.ts covers the same code in a few.
    exclude: ['test/http/idempotency.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
