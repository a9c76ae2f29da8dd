import { defineConfig } from 'vitest/config'
import { carepathPlugins } from './apps/designer/vite-plugin-carepath.ts'

// One run covers every package; browser end-to-end tests have their own config (tests/e2e).
export default defineConfig({
  // The designer's registry imports the configured extension packages through this module.
  plugins: [carepathPlugins()],
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.{ts,tsx}',
      'tests/integration/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Outer bounds for a loaded CI machine (load average 15–20 on 2 cores runs a child process
    // start-up 10–20 times slower than a laptop): tests assert behaviour, not speed. The waits
    // inside tests have their own ceiling, TEST_WAIT_MS (apps/runtime/src/testing/wait-until.ts),
    // which fails first with a message naming what did not happen.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // A scratch directory and database tag per run, removed at its end (testing/test-scratch.ts).
    globalSetup: ['apps/runtime/src/testing/test-scratch.ts'],
  },
})
