import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/** The web app's component tests, in a simulated DOM (happy-dom); part of `npm test`. */
export default defineConfig({
  plugins: [react()],
  test: {
    include: ['web/src/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    pool: 'threads',
    maxWorkers: 2,
    setupFiles: ['web/src/test-setup.ts'],
    // Timeouts sized for a loaded CI machine; a hung test still fails.
    testTimeout: 30_000,
  },
});
