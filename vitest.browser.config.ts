import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the built server in a child process on a fresh database, driven through
 * Debian's Chromium with playwright-core (`npm run test:browser`; CI runs it after the rest).
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // A condition polled for (a scan's line, a dashboard figure) gets as long as a locator does:
    // on a busy 2-core machine a round trip can take more than expect.poll's default second.
    expect: { poll: { timeout: 15_000 } },
  },
});
