// The scenario, in real Chromium against the real runtime: an analyst builds a small flow
// from an empty canvas (palette drag, port connections, a rule in the builder), saves, simulates
// and submits; a reviewer approves and publishes; an agent completes the run's task; the run
// viewer shows the path. Screenshots of each main screen go to tests/e2e/screenshots/.
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { e2eSession, repoRoot, screenshot, updateTourShots } from './harness.ts'
import {
  autoLayout,
  connectPorts,
  dropNode,
  flowFitted,
  selectNode,
  viewportSettled,
  zoomInAround,
} from './canvas-actions.ts'

const FLOW = 'visit-confirmation'
const session = e2eSession()

interface Box {
  x: number
  y: number
  width: number
  height: number
}

async function boxesOf(locator: Locator): Promise<Box[]> {
  const boxes: Box[] = []
  for (const item of await locator.all()) {
    const box = await item.boundingBox()
    if (box) boxes.push(box)
  }
  return boxes
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/** The runs of an SVG path (M, L and corner-rounding Q commands) that are neither horizontal nor vertical. */
function nonOrthogonalRuns(d: string): string[] {
  const bad: string[] = []
  let at = { x: 0, y: 0 }
  const straight = (from: typeof at, to: typeof at) => from.x === to.x || from.y === to.y
  for (const [, command = '', args = ''] of d.matchAll(/([MLQ])([^MLQ]*)/g)) {
    const n = args.trim().split(/[ ,]+/).map(Number)
    if (command === 'M') at = { x: n[0]!, y: n[1]! }
    if (command === 'L') {
      const to = { x: n[0]!, y: n[1]! }
      if (!straight(at, to)) bad.push(`L ${args.trim()}`)
      at = to
    }
    if (command === 'Q') {
      // A rounded corner: its control point is the corner, reached straight from both sides.
      const corner = { x: n[0]!, y: n[1]! }
      const to = { x: n[2]!, y: n[3]! }
      if (!straight(at, corner) || !straight(corner, to)) bad.push(`Q ${args.trim()}`)
      at = to
    }
  }
  return bad
}

describe('designer end to end', () => {
  let analyst: Page

  it('an analyst builds a flow from an empty canvas, with a rule made in the builder', async () => {
    analyst = await session.login('analyst')
    await analyst.getByTestId('flow-list').or(analyst.getByTestId('empty')).first().waitFor()
    await screenshot(analyst, 'flow-list')

    await analyst.getByTestId('flow-new').click()
    await analyst.getByTestId('new-flow-title').fill('Visit confirmation')
    await analyst.getByTestId('new-flow-template').selectOption('visit-scheduling')
    await analyst.getByTestId('new-flow-create').click()
    await analyst.getByTestId('canvas-empty').waitFor()

    await dropNode(analyst, 'trigger.api', 110, 250)
    await dropNode(analyst, 'decision.rules', 330, 250)
    await dropNode(analyst, 'guide.question', 560, 100)
    await dropNode(analyst, 'end', 590, 340)
    await dropNode(analyst, 'end', 330, 460)
    await expect.poll(() => analyst.locator('.react-flow__node').count()).toBe(5)

    // The rule, built without JSON: visit.type = procedure → outcome "call".
    await selectNode(analyst, 'decision-rules-1')
    await analyst.getByTestId('rules-add').click()
    await analyst.getByTestId('rule-0-when-0-fact').selectOption('visit.type')
    await analyst.getByTestId('rule-0-when-0-operator').selectOption('equal')
    await analyst.getByTestId('rule-0-when-0-value').selectOption('procedure')
    await analyst.getByTestId('rule-0-name').fill('Procedures get a call')
    await analyst.getByTestId('rule-0-outcome').fill('call')
    await expect.poll(() => analyst.getByTestId('port-decision-rules-1-call').count()).toBe(1)

    // The human step: front desk asks; showing the member id (an identifier) is marked at once.
    await selectNode(analyst, 'guide-question-1')
    await analyst.getByTestId('field-role').fill('front-desk')
    await analyst.getByTestId('field-into').fill('visit.confirmed')
    await analyst.getByTestId('field-shows-add').click()
    await analyst.getByTestId('field-shows.0').fill('coverage.memberId')
    await analyst.getByTestId('phi-forbidden-guide-question-1').waitFor()
    await screenshot(analyst, 'phi-marker')
    await analyst.getByTestId('field-shows.0').fill('patient.firstName')
    await expect.poll(() => analyst.getByTestId('phi-forbidden-guide-question-1').count()).toBe(0)

    await selectNode(analyst, 'end-1')
    await analyst.getByTestId('field-outcome').fill('confirmed')
    await selectNode(analyst, 'end-2')
    await analyst.getByTestId('field-outcome').fill('closed')

    // Live validation: an unconnected outcome is listed, the untitled step named by its type and
    // number (never its id); clicking it selects the node.
    const unwired = analyst
      .locator('[data-testid="problem"][data-code="missing-required-port"]', { hasText: 'Guide question 1' })
      .first()
    await expect(unwired.textContent()).resolves.not.toContain('guide-question-1')
    await unwired.click()
    await analyst.getByTestId('inspector-node-id').filter({ hasText: 'guide-question-1' }).waitFor()
    await expect(analyst.getByTestId('node-problems-guide-question-1').isVisible()).resolves.toBe(true)
    await analyst.getByRole('button', { name: 'Fit', exact: true }).click()
    await flowFitted(analyst)

    await connectPorts(analyst, 'trigger-api-1', 'next', 'decision-rules-1')
    await connectPorts(analyst, 'decision-rules-1', 'call', 'guide-question-1')
    await connectPorts(analyst, 'decision-rules-1', 'otherwise', 'end-2')
    await connectPorts(analyst, 'guide-question-1', 'yes', 'end-1')
    await connectPorts(analyst, 'guide-question-1', 'no', 'end-2')
    await expect.poll(() => analyst.locator('.react-flow__edge').count()).toBe(5)
    await expect.poll(() => analyst.getByTestId('problems').textContent()).toContain('No problems')

    // Copy, paste and undo leave the flow as it was.
    await selectNode(analyst, 'end-2')
    await analyst.keyboard.press('Control+c')
    await analyst.keyboard.press('Control+v')
    await expect.poll(() => analyst.locator('.react-flow__node').count()).toBe(6)
    await analyst.getByTestId('undo').click()
    await expect.poll(() => analyst.locator('.react-flow__node').count()).toBe(5)

    await autoLayout(analyst)
    await analyst.getByTestId('side-tab-inspect').click()
    await selectNode(analyst, 'decision-rules-1')
    await screenshot(analyst, 'canvas')

    await analyst.getByTestId('save').click()
    await analyst.getByTestId('save-ok').waitFor()
    await expect(analyst.getByTestId('flow-revision').textContent()).resolves.toContain('rev 1')
  })

  it('the analyst simulates the draft and submits it for review', async () => {
    await analyst.getByTestId('side-tab-simulate').click()
    await analyst.getByTestId('sim-run').click()
    await analyst.getByTestId('sim-results').waitFor()
    // A new flow has no published version, so every generated case behaves the same: show them.
    await analyst.getByTestId('sim-show-same').click()
    await expect.poll(() => analyst.getByTestId('sim-result').count()).toBeGreaterThan(0)
    await analyst.getByTestId('sim-result').first().click()
    await analyst.getByTestId('sim-case-detail').waitFor()
    await screenshot(analyst, 'simulator')

    await analyst.getByTestId('side-tab-review').click()
    await analyst.getByTestId('review-submit').click()
    await expect.poll(() => analyst.getByTestId('review-status').textContent()).toContain('in-review')
    await screenshot(analyst, 'review-submitted')
  })

  it('a reviewer who is not the author approves and publishes', async () => {
    const reviewer = await session.login('reviewer')
    await reviewer.getByTestId(`flow-open-${FLOW}`).click()
    await reviewer.getByTestId('side-tab-review').click()
    await reviewer.getByTestId('review-report').waitFor()
    await reviewer.getByTestId('review-comment').fill('Procedures get a call: looks right.')
    await reviewer.getByTestId('review-approve').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('approved')
    await expect.poll(() => reviewer.getByTestId('review-publish').isEnabled()).toBe(true)
    await reviewer.getByTestId('review-publish').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('published')
    await screenshot(reviewer, 'review')
    await reviewer.context().close()
  })

  it('an agent starts a run, completes its task, and the run viewer shows the path', async () => {
    const agent = await session.login('agent')
    await agent.getByTestId('nav-runs').click()
    await agent.getByTestId('run-start-open').click()
    await agent.getByTestId('run-start-flow').selectOption(FLOW)
    // The input as JSON, one click from the form.
    await agent.getByTestId('run-start-view-json').click()
    await agent
      .getByTestId('run-start-input')
      .fill(JSON.stringify({ visit: { type: 'procedure' }, patient: { firstName: 'Ada', mrn: 'MRN-1' } }))
    await agent.getByTestId('run-start-submit').click()
    await expect.poll(() => agent.getByTestId('run-status').textContent()).toContain('waiting')

    await agent.getByTestId('nav-inbox').click()
    await agent.getByTestId('inbox-task').first().click()
    await agent.getByTestId('task-screen').waitFor()
    await expect(agent.getByTestId('task-fact-patient.firstName').textContent()).resolves.toBe('Ada')
    // Only the step's own field is on screen: the MRN the run holds is not.
    await expect(agent.getByTestId('task-facts').textContent()).resolves.not.toContain('MRN-1')
    await screenshot(agent, 'agent-task')
    await agent.getByTestId('task-answer-yes').click()
    await agent.getByTestId('task-done').waitFor()

    await agent.getByRole('link', { name: 'See the run' }).click()
    await expect.poll(() => agent.getByTestId('run-status').textContent()).toContain('completed')
    await expect(agent.getByTestId('run-outcome').textContent()).resolves.toBe('confirmed')
    // The path names the untitled step by its type and number, not by its id.
    await expect(agent.getByTestId('run-path').textContent()).resolves.toContain('Guide question 1')
    await expect.poll(() => agent.locator('.cp-node.hl-path').count()).toBe(4)
    await agent.getByTestId('event-decision').first().waitFor()
    await screenshot(agent, 'run-viewer')
    await agent.context().close()
  })

  it('a changed draft shows as a visual diff against the published version', async () => {
    await analyst.goto(`${session.runtime.url}/#/flows/${FLOW}`)
    await analyst.getByTestId('editor').waitFor()
    await selectNode(analyst, 'decision-rules-1')
    await analyst.getByTestId('rule-0-when-0-value').selectOption('new-patient')
    await analyst.getByTestId('save').click()
    await analyst.getByTestId('save-ok').waitFor()
    await analyst.getByTestId('side-tab-history').click()
    await analyst.getByTestId('diff-with-published').click()
    await analyst.getByTestId('diff-changed-decision-rules-1').waitFor()
    await expect.poll(() => analyst.locator('.cp-node.hl-changed').count()).toBe(1)
    await screenshot(analyst, 'diff')
    await analyst.getByTestId('view-exit').click()
    await analyst.context().close()
  })

  it('a stale save is refused as a conflict, the edit stays on the canvas, and can be saved on top', async () => {
    const mine = await session.login('analyst')
    const theirs = await session.login('developer')
    for (const page of [mine, theirs]) {
      await page.goto(`${session.runtime.url}/#/flows/${FLOW}`)
      await page.getByTestId('editor').waitFor()
    }
    await selectNode(theirs, 'end-2')
    await theirs.getByTestId('inspector-title').fill('Closed without a call')
    await theirs.getByTestId('save').click()
    await theirs.getByTestId('save-ok').waitFor()

    await selectNode(mine, 'end-1')
    await mine.getByTestId('inspector-title').fill('Visit confirmed')
    await mine.getByTestId('save').click()
    await expect.poll(() => mine.getByTestId('save-error').textContent()).toContain('someone else saved')
    await expect(mine.locator('.react-flow__node[data-id="end-1"]').textContent()).resolves.toContain('Visit confirmed')
    await screenshot(mine, 'save-conflict')
    mine.once('dialog', (dialog) => void dialog.accept())
    await mine.getByTestId('save-overwrite').click()
    await mine.getByTestId('save-ok').waitFor()
    await mine.context().close()
    await theirs.context().close()
  })

  it('publishing is blocked with reasons until approval, and a reviewer can reject with a comment', async () => {
    const analyst2 = await session.login('analyst')
    await analyst2.goto(`${session.runtime.url}/#/flows/${FLOW}`)
    await analyst2.getByTestId('side-tab-review').click()
    await analyst2.getByTestId('review-submit').click()
    await expect.poll(() => analyst2.getByTestId('review-status').textContent()).toContain('in-review')
    await expect.poll(() => analyst2.getByTestId('publish-blockers').textContent()).toContain('sign-off of a reviewer')
    await analyst2.context().close()

    const reviewer = await session.login('reviewer2')
    await reviewer.getByTestId(`flow-open-${FLOW}`).click()
    await reviewer.getByTestId('side-tab-review').click()
    await expect(reviewer.getByTestId('review-reject').isDisabled()).resolves.toBe(true)
    await reviewer.getByTestId('review-comment').fill('New patients should not get a call; keep procedures.')
    await reviewer.getByTestId('review-reject').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('draft')
    await expect(reviewer.getByTestId('review-comments').textContent()).resolves.toContain('rejected')
    await screenshot(reviewer, 'review-rejected')
    await reviewer.context().close()
  })

  it('auto-layout routes the example flow orthogonally, with edge labels clear of each other', async () => {
    const page = await session.login('analyst')
    await page.getByTestId('flow-open-eligibility-verification').click()
    await page.getByTestId('editor').waitFor()
    await flowFitted(page)
    await screenshot(page, 'auto-layout-before')

    await autoLayout(page)
    const edges = page.locator('.react-flow__edge')
    const routed = page.locator('.react-flow__edge path[data-route="orthogonal"]')
    const edgeCount = await edges.count()
    expect(edgeCount).toBeGreaterThan(5)
    await expect.poll(() => routed.count()).toBe(edgeCount)
    for (const path of await routed.all()) {
      const d = (await path.getAttribute('d')) ?? ''
      expect(nonOrthogonalRuns(d), d).toEqual([])
    }
    const labels = await boxesOf(page.locator('.react-flow__edge-textbg'))
    expect(labels.length).toBe(edgeCount)
    const nodes = await boxesOf(page.locator('.react-flow__node'))
    labels.forEach((label, i) => {
      labels.slice(i + 1).forEach((other) => expect(overlaps(label, other), 'two edge labels overlap').toBe(false))
      nodes.forEach((node) => expect(overlaps(label, node), 'an edge label covers a node').toBe(false))
    })
    await screenshot(page, 'auto-layout-after')

    // A moved node's edges no longer follow their route: they are drawn as smoothstep edges again.
    const moved = page.locator('.react-flow__node[data-id="cost-check"]')
    const attached = await page.locator('.react-flow__edge[data-id*="cost-check"]').count()
    expect(attached).toBeGreaterThan(0)
    await selectNode(page, 'cost-check')
    const box = await moved.boundingBox()
    if (!box) throw new Error('Cannot see the cost check node')
    await page.mouse.move(box.x + box.width / 2, box.y + 12)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width / 2, box.y + 90, { steps: 5 })
    await page.mouse.up()
    await expect.poll(() => routed.count()).toBe(edgeCount - attached)
    await page.context().close()
  })

  it('the README canvas screenshot shows an example flow', async () => {
    const page = await session.login('analyst')
    const example = page.getByTestId('flow-open-eligibility-verification')
    if ((await example.count()) > 0) {
      await example.click()
      await page.getByTestId('editor').waitFor()
      await page.locator('.react-flow__node').first().waitFor()
      // After the editor's own fit-to-view, or that would undo the zoom.
      await flowFitted(page)
      // Zoom in around the cost decision so the nodes read at README size.
      await zoomInAround(page, page.locator('.react-flow__node[data-id="cost-check"]'), 2)
      await selectNode(page, 'cost-check').catch(() => undefined)
      await viewportSettled(page)
      const shot = await screenshot(page, 'canvas-example')
      // Committed image: rewritten only on request, so test runs leave the tree clean.
      if (updateTourShots) copyFileSync(shot, join(repoRoot, 'docs/screenshot-canvas.png'))
    } else {
      if (updateTourShots)
        copyFileSync(join(repoRoot, 'tests/e2e/screenshots/canvas.png'), join(repoRoot, 'docs/screenshot-canvas.png'))
    }
    await page.context().close()
  })
})
