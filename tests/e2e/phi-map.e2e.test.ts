// The PHI touchpoint map, in real Chromium against `serve --demo`: an analyst adds an outside SMS
// send to a published flow's draft. Putting a lab value (clinical) into the text shows at once in
// the PHI map tab as clinical data sent to the SMS gateway, before anything is saved (validation
// refuses it too); with the lab value taken out the draft is saved and submitted, and the
// reviewer's review lists the map's changes against the published version, with the channel's
// encryption read from the installation's settings. An auditor marks the installation's map
// reviewed from the keyboard. Once an admin clears the nurse queue for demographic data only, the
// flow's map and the installation's say in words that the queue's clearance withholds the clinical
// data the flow's nurse role asks for. Every screen is checked with axe-core.
import { describe, expect, it } from 'vitest'
import { axeViolations } from './axe.ts'
import { apiToken, e2eSession, screenshot, trpcPost } from './harness.ts'
import { chooseTarget, dropNode, selectNode, viewportSettled } from './canvas-actions.ts'

const session = e2eSession()
const FLOW = 'lab-ready-text'

const token = (username: string) => apiToken(session.runtime, username)

/** A published flow that only takes in a lab result: nothing leaves yet. */
const published = {
  dsl: 'carepath.flow/1',
  id: FLOW,
  version: 1,
  title: 'Lab result ready',
  facts: {
    type: 'object',
    properties: {
      patient: {
        type: 'object',
        properties: {
          firstName: { type: 'string', 'x-phi': 'demographic' },
          phone: { type: 'string', 'x-phi': 'contact' },
        },
      },
      lab: { type: 'object', properties: { potassium: { type: 'number', 'x-phi': 'clinical' } } },
    },
  },
  roles: { nurse: { title: 'Nurse', phi: ['demographic', 'clinical'] } },
  start: 'start',
  nodes: {
    start: { type: 'trigger.api', typeVersion: 1, title: 'Result received', config: {}, next: { next: 'done' } },
    done: { type: 'end', typeVersion: 1, title: 'Done', config: { outcome: 'done' }, next: {} },
  },
  layout: { start: { x: 0, y: 0 }, done: { x: 600, y: 0 } },
}

describe('PHI touchpoint map', () => {
  it('shows a new outside SMS send in the PHI map tab and in the review’s map diff', async () => {
    const [analystToken, reviewerToken, developerToken] = [
      await token('analyst'),
      await token('reviewer'),
      await token('developer'),
    ]
    const created = await trpcPost(session.runtime.url, 'flows.create', { document: published }, analystToken)
    const hash = typeof created === 'object' && created !== null && 'hash' in created ? String(created.hash) : ''
    await trpcPost(session.runtime.url, 'review.submit', { id: FLOW }, analystToken)
    await trpcPost(session.runtime.url, 'review.approve', { id: FLOW, hash, comment: 'intake only' }, reviewerToken)
    await trpcPost(session.runtime.url, 'review.publish', { id: FLOW, hash }, reviewerToken)
    // The installation's SMS gateway, over https: the map says the channel is encrypted.
    const stored = await fetch(`${session.runtime.url}/trpc/settings.integrations`, {
      headers: { authorization: `Bearer ${developerToken}` },
    })
    const current = ((await stored.json()) as { result: { data: Record<string, unknown> } }).result.data
    await trpcPost(
      session.runtime.url,
      'settings.setIntegrations',
      { ...current, notify: { sms: { url: 'https://sms.example.org/send' } } },
      developerToken,
    )

    const analyst = await session.login('analyst')
    await analyst.goto(`${session.runtime.url}/#/flows/${FLOW}`)
    await analyst.getByTestId('editor').waitFor()
    await dropNode(analyst, 'notify', 260, 260)
    await selectNode(analyst, 'notify-1')
    await analyst.getByTestId('field-channel').selectOption('"sms"')
    await analyst.getByTestId('field-toFrom').fill('patient.phone')
    await analyst.getByTestId('field-record').uncheck()
    await analyst.getByTestId('field-message').fill('Hi {{patient.firstName}}, your potassium is {{lab.potassium}}.')
    await analyst.getByRole('button', { name: 'Fit', exact: true }).click()
    // Settled, not centred: the problems list below the canvas changes height as the draft is
    // checked, so the fitted flow need not sit at the pane's exact centre.
    await viewportSettled(analyst)
    // Wired from the inspector's "Outcomes lead to" lists (the keyboard's way to connect ports).
    await selectNode(analyst, 'start')
    await chooseTarget(analyst.getByTestId('connect-next'), 'notify-1')
    await selectNode(analyst, 'notify-1')
    await chooseTarget(analyst.getByTestId('connect-sent'), 'done')
    await expect.poll(() => analyst.locator('.react-flow__edge').count()).toBe(2)

    // The map of the unsaved draft: the lab value would go to the SMS gateway, outside.
    await analyst.getByTestId('side-tab-phi-map').click()
    await expect
      .poll(() => analyst.getByTestId('phi-class-clinical').textContent())
      .toContain('Sent to SMS gateway (outside, channel: sms, encrypted: yes)')
    await analyst.getByTestId('phi-map-graph').waitFor()
    await expect(analyst.getByTestId('phi-map-table').textContent()).resolves.toContain('lab.potassium')
    await expect
      .poll(() => analyst.getByTestId('problems').textContent())
      .toContain('which a sms message may not carry')
    await screenshot(analyst, 'phi-map-tab')
    expect(await axeViolations(analyst)).toEqual([])

    // Keyboard: the touchpoint table scrolls from the keyboard (it takes focus).
    await analyst.getByRole('region', { name: 'Every PHI touchpoint' }).focus()
    await expect(analyst.evaluate('document.activeElement.getAttribute("role")')).resolves.toBe('region')

    // Without the lab value the draft is valid: saved and submitted.
    await selectNode(analyst, 'notify-1')
    await analyst.getByTestId('field-message').fill('Hi {{patient.firstName}}, your result is ready. Please call us.')
    await analyst.getByTestId('side-tab-phi-map').click()
    await expect.poll(() => analyst.getByTestId('phi-class-clinical').textContent()).toContain('Not sent outside.')
    await expect.poll(() => analyst.getByTestId('problems').textContent()).toContain('No problems')
    await analyst.getByTestId('save').click()
    await analyst.getByTestId('save-ok').or(analyst.getByTestId('save-error')).first().waitFor()
    expect(await analyst.getByTestId('save-error').count(), await analyst.locator('body').innerText()).toBe(0)
    await analyst.getByTestId('side-tab-review').click()
    await analyst.getByTestId('review-submit').click()
    await expect.poll(() => analyst.getByTestId('review-status').textContent()).toContain('in-review')
    await analyst.context().close()

    const reviewer = await session.login('reviewer')
    await reviewer.goto(`${session.runtime.url}/#/flows/${FLOW}`)
    await reviewer.getByTestId('editor').waitFor()
    await reviewer.getByTestId('side-tab-review').click()
    await expect
      .poll(() => reviewer.getByTestId('review-phi-map-changes').textContent())
      .toContain('contact data now sent to SMS gateway (outside, channel: sms, encrypted: yes) by “Send notification”')
    await expect(reviewer.getByTestId('review-phi-map-diff').textContent()).resolves.toContain(
      'Against the published version 1:',
    )
    await screenshot(reviewer, 'phi-map-review-diff')
    expect(await axeViolations(reviewer)).toEqual([])
    await reviewer.context().close()

    // The auditor records the quarterly review of the whole installation, from the keyboard.
    const auditor = await session.login('auditor')
    await auditor.getByTestId('nav-audit').click()
    await auditor.getByTestId('phi-map-rollup').waitFor()
    await expect.poll(() => auditor.getByTestId('phi-rollup-systems').textContent()).toContain('SMS gateway')
    await auditor.getByTestId('phi-map-mark-reviewed').focus()
    await auditor.keyboard.press('Enter')
    await expect
      .poll(() => auditor.getByTestId('phi-map-review').textContent())
      .toMatch(/^Last reviewed on \d{4}-\d{2}-\d{2} by auditor/)
    await screenshot(auditor, 'phi-map-rollup')
    expect(await axeViolations(auditor)).toEqual([])

    // The admin caps the nurse queue at demographic data; the flow's nurse role asks for clinical too.
    const adminToken = await token('admin')
    const listed = await fetch(`${session.runtime.url}/trpc/queues.list`, {
      headers: { authorization: `Bearer ${adminToken}` },
    })
    const queues = ((await listed.json()) as { result: { data: { name: string; version: string | null }[] } }).result
      .data
    const nurse = queues.find((q) => q.name === 'nurse')
    await trpcPost(
      session.runtime.url,
      'queues.save',
      { name: 'nurse', description: 'Nurses', phi: ['demographic'], baseVersion: nurse?.version ?? null },
      adminToken,
    )
    const withheld = "withheld by the nurse queue's clearance"
    await auditor.reload()
    await expect
      .poll(() => auditor.getByTestId('phi-rollup-flows').textContent())
      .toContain(`clinical: asked for by the flow's nurse role, ${withheld}`)
    expect(await axeViolations(auditor)).toEqual([])
    await auditor.context().close()

    const analystAgain = await session.login('analyst')
    await analystAgain.goto(`${session.runtime.url}/#/flows/${FLOW}`)
    await analystAgain.getByTestId('editor').waitFor()
    await analystAgain.getByTestId('side-tab-phi-map').click()
    await expect
      .poll(() => analystAgain.getByTestId('phi-class-clinical').textContent())
      .toContain(`No queue sees it. Asked for by the flow's nurse role, ${withheld}.`)
    await expect(analystAgain.getByTestId('phi-map-table').textContent()).resolves.toContain(
      'queue asks for (withheld by its clearance)',
    )
    expect(await axeViolations(analystAgain)).toEqual([])
    await analystAgain.context().close()
  })
})
