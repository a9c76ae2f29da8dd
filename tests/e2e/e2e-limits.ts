// How long the browser tests wait for one thing to happen: a runtime to start, an element to
// appear, a poll to pass, a simulation to finish. One ceiling for every wait in tests/e2e, read by
// the harness (Playwright's default timeout, the runtime start-up) and by vitest.config.ts
// (expect.poll). Sized for a loaded CI machine (load average 15–20 on 2 cores): the tests assert
// what a user sees, never how fast, so the ceiling only bounds how long a broken step hangs.

/** The longest any single wait in a browser test lasts before it fails. */
export const E2E_WAIT_MS = 120_000

/** The longest one test (one `it`, several steps and waits) may run. */
export const E2E_TEST_MS = 10 * 60_000
