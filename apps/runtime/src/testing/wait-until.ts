// How long the runtime's tests and tests/integration wait for something that does happen: a child
// process printing that it is ready, a line in a log, a loopback peer answering. One place for
// these ceilings, set for a loaded CI machine (load average 15–20 on 2 cores makes a start-up that
// takes 2 s on a laptop take 30 s or more): a test asserts behaviour, never speed, so a ceiling
// only bounds how long a genuinely broken test hangs before it fails with a plain message.

/** The longest a test waits for one condition to become true. */
export const TEST_WAIT_MS = 120_000

/**
 * The connector timeout a test gives an adapter whose loopback peer does answer (the largest the
 * settings schema accepts). A test of the timeout itself uses a small one against a peer that
 * never answers, which stays deterministic however slow the machine is.
 */
export const TEST_CONNECTOR_TIMEOUT_MS = 120_000

/** How often a condition is checked: often enough to be prompt, not so often it loads the machine. */
const POLL_MS = 25

/**
 * Resolves as soon as `condition()` is true; rejects naming `what` if it is still false after
 * `ceilingMs`. For conditions with no event to wait on (a file another process appends to).
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ceilingMs = TEST_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + ceilingMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Waited ${ceilingMs / 1000} s for ${what}; it did not happen.`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
