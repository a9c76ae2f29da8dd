// Accessibility check of what a page shows now, with axe-core (WCAG 2.1 A and AA rules): the
// violations as "rule: target" lines, so a failing test says what to fix.
import { createRequire } from 'node:module'
import type { Frame, Page } from 'playwright-core'

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source

interface AxeResult {
  violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[]
}

/** Violations on a page, or in one frame of it (an embedded view is checked inside its frame). */
export async function axeViolations(page: Page | Frame): Promise<string[]> {
  // Evaluated through the DevTools protocol, not as an inline <script>: the designer's CSP refuses
  // inline scripts, and the test must not weaken it (a CSP-bypassing context would hide a violation).
  await page.evaluate(`${axeSource};0`)
  // A string expression: the tests compile without the DOM library, and axe is the page's global now.
  const result = (await page.evaluate(
    "axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })",
  )) as AxeResult
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`))
}
