// Approval by footprint in real Chromium against `serve --demo`: an analyst's change, drawn in the
// designer, to the lab result flow that starts posting the result (clinical data) to an outside
// SMS vendor's gateway cannot be published on one reviewer's approval; the review lists the
// compliance and security sign-offs it needs and why; once the compliance officer and the
// security owner sign off, it publishes and the owners are told. A text-only change then goes
// through the lighter policy (one reviewer). Every screen touched is checked with axe-core.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { flowDocumentSchema, type FlowDocument } from '@carepath/dsl'
import { axeViolations } from './axe.ts'
import { chooseTarget, dropNode, flowFitted, selectNode } from './canvas-actions.ts'
import { apiToken, e2eSession, screenshot, trpcPost } from './harness.ts'

const session = e2eSession()
const FLOW = 'lab-result-routing'

const token = (username: string) => apiToken(session.runtime, username)

async function query(path: string, as: string, input: unknown): Promise<unknown> {
  const response = await fetch(
    `${session.runtime.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`,
    {
      headers: { authorization: `Bearer ${as}` },
    },
  )
  const body: unknown = await response.json()
  if (!response.ok) throw new Error(`${path} answered ${response.status}`)
  return typeof body === 'object' && body !== null && 'result' in body ? body.result : undefined
}

/** The draft as the analyst has it: its document, revision and hash. */
async function draftOf(analyst: string): Promise<{ document: FlowDocument; revision: number; hash: string }> {
  return draftOfFlow(analyst, FLOW)
}

async function draftOfFlow(
  analyst: string,
  id: string,
): Promise<{ document: FlowDocument; revision: number; hash: string }> {
  const parsed = await query('flows.get', analyst, { id })
  if (typeof parsed !== 'object' || parsed === null || !('data' in parsed)) throw new Error('no flow')
  const data = parsed.data
  if (typeof data !== 'object' || data === null || !('draft' in data)) throw new Error('no draft')
  const draft = data.draft
  if (
    typeof draft !== 'object' ||
    draft === null ||
    !('document' in draft) ||
    !('revision' in draft) ||
    !('hash' in draft)
  )
    throw new Error('no draft document')
  const { document, revision, hash } = draft
  if (typeof revision !== 'number' || typeof hash !== 'string') throw new Error('bad draft')
  return { document: flowDocumentSchema.parse(document), revision, hash }
}

async function openReview(page: Page) {
  await page.goto(`${session.runtime.url}/#/flows/${FLOW}`)
  // A hash change alone keeps the loaded review: reload so the page reads what others signed since.
  await page.reload()
  await page.getByTestId('editor').waitFor()
  await page.getByTestId('side-tab-review').click()
  await page.getByTestId('review-panel').waitFor()
}

async function expectAxeClean(page: Page) {
  expect(await axeViolations(page)).toEqual([])
}

describe('governance of change', () => {
  it('needs compliance and security to publish an outside SMS send of lab results; text needs one reviewer', async () => {
    const analyst = await token('analyst')
    // The analyst draws the change: final results are also posted, whole, to the SMS vendor's
    // gateway outside the hospital, declared as a patient SMS channel. (notify's own SMS channel
    // refuses clinical data outright; a vendor gateway is reached with an HTTP request.)
    const designer = await session.login('analyst')
    await designer.goto(`${session.runtime.url}/#/flows/${FLOW}`)
    await designer.getByTestId('editor').waitFor()
    await flowFitted(designer)
    await dropNode(designer, 'http.request', 60, 40)
    await designer.getByTestId('inspector-node-id').filter({ hasText: 'http-request-1' }).waitFor()
    await designer.getByTestId('inspector-title').fill('Text the result to the patient')
    await designer.getByTestId('field-method').selectOption('"POST"')
    await designer.getByTestId('field-url').fill('https://sms-gateway.example.net/send')
    await designer.getByTestId('field-bodyFrom').fill('result')
    await designer.getByTestId('field-channel').selectOption('"sms"')
    // Wired from the inspector's "Outcomes lead to" lists, the keyboard's way to connect ports.
    for (const port of ['ok', 'failed', 'error']) await chooseTarget(designer.getByTestId(`connect-${port}`), 'filed')
    await screenshot(designer, 'governance-analyst-sms-gateway-step')
    await selectNode(designer, 'status')
    await chooseTarget(designer.getByTestId('connect-final'), 'http-request-1')
    await expect.poll(() => designer.getByTestId('problems').textContent()).toContain('No problems')
    await designer.getByTestId('save').click()
    await designer.getByTestId('save-ok').or(designer.getByTestId('save-error')).first().waitFor()
    expect(await designer.getByTestId('save-error').count(), await designer.locator('body').innerText()).toBe(0)
    await designer.getByTestId('side-tab-review').click()
    await designer.getByTestId('review-submit').click()
    await expect.poll(() => designer.getByTestId('review-status').textContent()).toContain('in-review')
    await designer.context().close()
    const saved = await draftOf(analyst)
    expect(saved.document.nodes['status']?.next['final']).toBe('http-request-1')
    expect(saved.document.nodes['http-request-1']?.config).toMatchObject({ channel: 'sms', bodyFrom: 'result' })

    // The reviewer sees what is still needed and why, approves, and cannot publish.
    const reviewer = await session.login('reviewer')
    await openReview(reviewer)
    await reviewer.getByTestId('sign-off-compliance').waitFor()
    const compliance = await reviewer.getByTestId('sign-off-compliance').textContent()
    expect(compliance).toContain('still needed')
    expect(compliance).toContain('clinical data is newly sent outside by “Text the result to the patient”')
    const security = await reviewer.getByTestId('sign-off-security').textContent()
    expect(security).toContain('newly reaches the outside endpoint sms-gateway.example.net')
    expect(compliance).toContain(
      '“Text the result to the patient” newly messages people by SMS text message through sms-gateway.example.net',
    )
    await expect(reviewer.getByTestId('flow-owner-security').textContent()).resolves.toContain('security')
    // The PHI map's changes are in the same review: lab results now leave for the gateway.
    await expect
      .poll(() => reviewer.getByTestId('review-phi-map-changes').textContent())
      .toContain('sms-gateway.example.net')
    await reviewer.getByTestId('review-approve').click()
    await expect.poll(() => reviewer.getByTestId('sign-off-reviewer').getAttribute('data-done')).toBe('true')
    // One sign-off per person: the reviewer's Approve is off now, and says why.
    await expect.poll(() => reviewer.getByTestId('review-approve').isDisabled()).toBe(true)
    await expect(reviewer.getByTestId('review-you-approved').textContent()).resolves.toContain('another person')
    await expect(reviewer.getByTestId('review-publish').isDisabled()).resolves.toBe(true)
    const blockers = await reviewer.getByTestId('publish-blockers').textContent()
    expect(blockers).toContain('sign-off of compliance')
    expect(blockers).toContain('sign-off of the security owner')
    await expectAxeClean(reviewer)
    await screenshot(reviewer, 'governance-review-needs-sign-offs')
    // Over the API too: refused, nothing published.
    const reviewerToken = await token('reviewer')
    const { hash } = saved
    await expect(trpcPost(session.runtime.url, 'review.publish', { id: FLOW, hash }, reviewerToken)).rejects.toThrow(
      /cannot be published yet/,
    )

    // The compliance officer and the security owner sign off from their own screens.
    for (const [person, kind] of [
      ['compliance', 'compliance'],
      ['security', 'security'],
    ] as const) {
      const page = await session.login(person)
      await openReview(page)
      await page.getByTestId(`approve-as-${kind}`).waitFor()
      await page.getByTestId('sign-off-comment').fill(`${kind} reviewed the SMS gateway`)
      await page.getByTestId(`approve-as-${kind}`).click()
      await expect.poll(() => page.getByTestId(`sign-off-${kind}`).getAttribute('data-done')).toBe('true')
      await expectAxeClean(page)
      await page.context().close()
    }

    await openReview(reviewer)
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('approved')
    await reviewer.getByTestId('review-publish').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('published')

    // Publishing told the flow's owners: the compliance officer (the installation's compliance
    // owner) finds the change notice in their inbox.
    const owner = await session.login('compliance')
    await owner.goto(`${session.runtime.url}/#/my-alerts`)
    await expect.poll(() => owner.getByTestId(`change-notice-${FLOW}`).textContent()).toMatch(/Published/)
    await expect(owner.getByTestId(`change-notice-${FLOW}`).textContent()).resolves.toContain(
      'Text the result to the patient',
    )
    await expectAxeClean(owner)
    await owner.context().close()

    // A text-only change: the lighter policy asks one reviewer, and it still is reviewed.
    const next = await draftOf(analyst)
    await trpcPost(
      session.runtime.url,
      'flows.save',
      {
        id: FLOW,
        document: { ...next.document, title: 'Lab result routing (critical values first)' },
        baseRevision: next.revision,
      },
      analyst,
    )
    await trpcPost(session.runtime.url, 'review.submit', { id: FLOW }, analyst)
    await openReview(reviewer)
    await reviewer.getByTestId('sign-off-reviewer').waitFor()
    await expect(reviewer.getByTestId('sign-offs').locator(':scope > li').count()).resolves.toBe(1)
    await expect(reviewer.getByTestId('sign-off-reviewer').textContent()).resolves.toContain('Text changed')
    await reviewer.getByTestId('review-approve').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('approved')
    await reviewer.getByTestId('review-publish').click()
    await expect.poll(() => reviewer.getByTestId('review-status').textContent()).toContain('published')
    await reviewer.context().close()

    // The admin's approval policy form is there and axe-clean.
    const admin = await session.login('admin')
    await admin.getByTestId('approval-policy-form').waitFor()
    await expect(admin.getByTestId('policy-phi-sent-outside-security').isChecked()).resolves.toBe(true)
    await expectAxeClean(admin)
    await admin.context().close()
  })

  it('starts a new flow from the integration intake template (blank stays the default)', async () => {
    const analyst = await session.login('analyst')
    await analyst.getByTestId('flow-new').click()
    await analyst.getByTestId('new-flow-title').fill('Pharmacy interface intake')
    await expect.poll(() => analyst.getByTestId('new-flow-template').inputValue()).toBe('blank')
    await analyst.getByTestId('new-flow-template').selectOption('integration-intake')
    await expectAxeClean(analyst)
    await screenshot(analyst, 'new-flow-integration-intake-template')
    await analyst.getByTestId('new-flow-create').click()
    await analyst.getByTestId('editor').waitFor()
    await analyst.locator('.react-flow__node[data-id="compliance"]').waitFor()
    await expect(analyst.locator('.react-flow__node').count()).resolves.toBe(18)
    await expect.poll(() => analyst.getByTestId('problems').textContent()).toContain('No problems')
    await analyst.getByTestId('save').click()
    await analyst.getByTestId('save-ok').or(analyst.getByTestId('save-error')).first().waitFor()
    expect(await analyst.getByTestId('save-error').count(), await analyst.locator('body').innerText()).toBe(0)
    const saved = await draftOfFlow(await token('analyst'), 'pharmacy-interface-intake')
    expect(saved.document.title).toBe('Pharmacy interface intake')
    expect(saved.document.nodes['security']?.title).toBe('Security sign-off')
    await analyst.context().close()
  })

  it('the compliance officer reaches the installation’s PHI map from the navigation and marks it reviewed', async () => {
    const officer = await session.login('compliance')
    await officer.getByTestId('nav-phi-map').click()
    await officer.getByTestId('phi-map-rollup').waitFor()
    // The SMS gateway the analyst added and got published above is in the installation's map.
    await expect.poll(() => officer.getByTestId('phi-map-rollup').textContent()).toContain('sms-gateway.example.net')
    await officer.getByTestId('phi-map-mark-reviewed').focus()
    await officer.keyboard.press('Enter')
    await expect
      .poll(() => officer.getByTestId('phi-map-review').textContent())
      .toMatch(/Last reviewed on \d{4}-\d{2}-\d{2} by compliance; next review due/)
    await expectAxeClean(officer)
    await screenshot(officer, 'compliance-phi-map-screen')
    await officer.context().close()
  })
})
