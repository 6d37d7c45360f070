import { defineConfig } from 'vitest/config';

// One runner, seven projects: the pure core, the API contract, the scripts, the store on both
// databases, the exchange services (ODM, SDTM, CSV) on both databases, the API against the real
// server on a loopback port (with the CLI), and the web UI in real headless Chromium.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/closing-line-reporter.ts'],
    projects: [
      { test: { name: 'core', include: ['packages/core/src/**/*.test.ts'] } },
      { test: { name: 'contract', include: ['packages/contract/src/**/*.test.ts'] } },
      { test: { name: 'scripts', include: ['scripts/**/*.test.ts'] } },
      { test: { name: 'store', include: ['packages/store/src/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'exchange', include: ['packages/exchange/src/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'server',
          include: ['packages/server/src/**/*.test.ts', 'packages/cli/src/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
