import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { E2E_TEST_MS, E2E_WAIT_MS } from './e2e-limits.ts'

// Browser end-to-end tests: real runtime, real Chromium. Run with `pnpm test:e2e` (it builds the
// designer first). One file at a time: each starts its own runtime.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    testTimeout: E2E_TEST_MS,
    hookTimeout: E2E_TEST_MS,
    // expect.poll's own default (1 s) is far too short for a browser on a loaded machine.
    expect: { poll: { timeout: E2E_WAIT_MS } },
    fileParallelism: false,
    pool: 'forks',
    // A scratch directory and database tag per run, removed at its end (testing/test-scratch.ts).
    globalSetup: ['apps/runtime/src/testing/test-scratch.ts'],
  },
})
