import { defineConfig } from 'vitest/config';

/** The longer reliability suites: `npm run test:reliability` (CI runs it after `npm test`). */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/support/build.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
