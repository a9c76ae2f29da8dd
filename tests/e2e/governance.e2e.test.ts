// Approval by footprint in real Chromium against `serve --demo`: an analyst's change to the lab
// result flow that starts posting the result (clinical data) to an outside SMS gateway cannot be
// published on one reviewer's approval; the review lists the compliance and security sign-offs it
// needs and why; once the compliance officer and the security owner sign off, it publishes. A
// text-only change then goes through the lighter policy (one reviewer). Every screen touched is
// checked with axe-core.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { flowDocumentSchema, type FlowDocument } from '@carepath/dsl'
import { axeViolations } from './axe.ts'
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

/** The draft as the analyst has it: its document and revision. */
async function draftOf(analyst: string): Promise<{ document: FlowDocument; revision: number }> {
  const parsed = await query('flows.get', analyst, { id: FLOW })
  if (typeof parsed !== 'object' || parsed === null || !('data' in parsed)) throw new Error('no flow')
  const data = parsed.data
  if (typeof data !== 'object' || data === null || !('draft' in data)) throw new Error('no draft')
  const draft = data.draft
  if (typeof draft !== 'object' || draft === null || !('document' in draft) || !('revision' in draft))
    throw new Error('no draft document')
  const { document, revision } = draft
  if (typeof revision !== 'number') throw new Error('bad draft')
  return { document: flowDocumentSchema.parse(document), revision }
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
    const { document, revision } = await draftOf(analyst)
    // The change: final results are also posted, whole, to an SMS gateway outside the hospital.
    const nodes = { ...document.nodes }
    const status = nodes['status']!
    nodes['status'] = { ...status, next: { ...status.next, final: 'text-result' } }
    nodes['text-result'] = {
      type: 'http.request',
      typeVersion: 1,
      title: 'Text the result to the patient',
      config: { method: 'POST', url: 'https://sms-gateway.example.net/send', bodyFrom: 'result' },
      next: { ok: 'filed', failed: 'filed', error: 'filed' },
    }
    const saved = await trpcPost(
      session.runtime.url,
      'flows.save',
      { id: FLOW, document: { ...document, nodes }, baseRevision: revision },
      analyst,
    )
    expect(saved).toMatchObject({ revision: revision + 1 })
    await trpcPost(session.runtime.url, 'review.submit', { id: FLOW }, analyst)

    // The reviewer sees what is still needed and why, approves, and cannot publish.
    const reviewer = await session.login('reviewer')
    await openReview(reviewer)
    await reviewer.getByTestId('sign-off-compliance').waitFor()
    const compliance = await reviewer.getByTestId('sign-off-compliance').textContent()
    expect(compliance).toContain('still needed')
    expect(compliance).toContain('clinical data is newly sent outside by “Text the result to the patient”')
    const security = await reviewer.getByTestId('sign-off-security').textContent()
    expect(security).toContain('newly reaches the outside endpoint sms-gateway.example.net')
    await expect(reviewer.getByTestId('flow-owner-security').textContent()).resolves.toContain('security')
    // The PHI map's changes are in the same review: lab results now leave for the gateway.
    await expect
      .poll(() => reviewer.getByTestId('review-phi-map-changes').textContent())
      .toContain('sms-gateway.example.net')
    await reviewer.getByTestId('review-approve').click()
    await expect.poll(() => reviewer.getByTestId('sign-off-reviewer').getAttribute('data-done')).toBe('true')
    await expect(reviewer.getByTestId('review-publish').isDisabled()).resolves.toBe(true)
    const blockers = await reviewer.getByTestId('publish-blockers').textContent()
    expect(blockers).toContain('sign-off of compliance')
    expect(blockers).toContain('sign-off of the security owner')
    await expectAxeClean(reviewer)
    await screenshot(reviewer, 'governance-review-needs-sign-offs')
    // Over the API too: refused, nothing published.
    const reviewerToken = await token('reviewer')
    const hash = typeof saved === 'object' && saved !== null && 'hash' in saved ? String(saved.hash) : ''
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
})
