import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Browser end-to-end tests: real runtime, real Chromium. Run with `pnpm test:e2e` (it builds the
// designer first). One file at a time: each starts its own runtime.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/e2e/**/*.e2e.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
})
