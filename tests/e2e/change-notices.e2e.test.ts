// Evidence and change notices in real Chromium against `serve --demo`: the analyst's new flow goes
// to review; the reviewer attaches a mapping sheet to the review (from the keyboard-usable file
// input), approves and publishes; the flow's process owner, and an auditor who subscribed from
// the flow's owners strip, find the change notice in their inbox. Every screen is axe-clean.
import { describe, expect, it } from 'vitest'
import { axeViolations } from './axe.ts'
import { DEMO_PASSWORD, e2eSession, screenshot, trpcPost } from './harness.ts'

const session = e2eSession()
const FLOW = 'courier-pickup'

const document = {
  dsl: 'carepath.flow/1',
  id: FLOW,
  version: 1,
  title: 'Courier pickup',
  facts: { type: 'object', properties: { site: { type: 'string', 'x-phi': 'none' } } },
  roles: {},
  start: 'requested',
  nodes: {
    requested: { type: 'trigger.api', typeVersion: 1, config: {}, next: { next: 'done' } },
    done: { type: 'end', typeVersion: 1, config: { outcome: 'scheduled' }, next: {} },
  },
  layout: { requested: { x: 0, y: 0 }, done: { x: 260, y: 0 } },
}

async function tokenOf(username: string): Promise<string> {
  const login = await trpcPost(session.runtime.url, 'auth.login', { username, password: DEMO_PASSWORD })
  if (login === null || typeof login !== 'object' || !('token' in login) || typeof login.token !== 'string')
    throw new Error(`${username} could not log in`)
  return login.token
}

describe('evidence on a review, and change notices to the flow’s owners', () => {
  it('the reviewer attaches the mapping sheet to the review, approves and publishes', async () => {
    const base = session.runtime.url
    await trpcPost(
      base,
      'alerts.setSettings',
      { settings: { owners: { [FLOW]: { process: [{ user: 'analyst' }] } } } },
      await tokenOf('admin'),
    )
    const analyst = await tokenOf('analyst')
    await trpcPost(base, 'flows.create', { document }, analyst)
    await trpcPost(base, 'review.submit', { id: FLOW }, analyst)

    // The auditor follows the flow from its owners strip, from the keyboard, before it is published.
    const follower = await session.login('auditor')
    await follower.goto(`${base}/#/flows/${FLOW}`)
    await follower.getByTestId('editor').waitFor()
    await expect.poll(() => follower.getByTestId('flow-subscription-state').textContent()).toBe('(not subscribed)')
    await follower.getByRole('checkbox', { name: /Send me its change notices/ }).focus()
    await follower.keyboard.press('Space')
    await expect.poll(() => follower.getByTestId('flow-subscription-state').textContent()).toBe('(subscribed)')
    await expect(follower.getByTestId('flow-subscribe').isChecked()).resolves.toBe(true)
    expect((await axeViolations(follower)).filter((v) => v.includes('subscri'))).toEqual([])
    await screenshot(follower, 'flow-subscribe')
    // Still subscribed after a reload: the server holds it, not the page.
    await follower.reload()
    await expect.poll(() => follower.getByTestId('flow-subscription-state').textContent()).toBe('(subscribed)')
    await follower.context().close()

    const reviewer = await session.login('reviewer')
    await reviewer.getByTestId(`flow-open-${FLOW}`).click()
    await reviewer.getByTestId('side-tab-review').click()
    await reviewer.getByTestId('evidence-review').waitFor()
    await reviewer.getByTestId('evidence-input-review').setInputFiles({
      name: 'courier-mapping.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('source,target\nsite,pickup.site\n'),
    })
    await reviewer.getByTestId('evidence-file-courier-mapping.csv').waitFor()
    // The editor's palette has contrast findings of its own (not this feature's); the evidence
    // section itself must have none.
    expect((await axeViolations(reviewer)).filter((v) => v.includes('evidence'))).toEqual([])
    await screenshot(reviewer, 'review-evidence')

    // A renamed program is refused in plain words, and nothing is listed for it.
    await reviewer.getByTestId('evidence-input-review').setInputFiles({
      name: 'vendor-agreement.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('MZ not a pdf'),
    })
    await expect
      .poll(() => reviewer.getByTestId('evidence-review').textContent())
      .toContain('“vendor-agreement.pdf” is not a PDF')
    expect(await reviewer.getByTestId('evidence-files').locator('li').count()).toBe(1)

    await reviewer.getByTestId('review-approve').click()
    await expect.poll(() => reviewer.getByTestId('review-publish').isEnabled()).toBe(true)
    await reviewer.getByTestId('review-publish').click()
    await expect.poll(() => reviewer.getByTestId('review-notice').textContent()).toContain('Published')
  })

  it('the process owner sees the notice in the inbox and marks it read from the keyboard', async () => {
    const owner = await session.login('analyst')
    await owner.goto(`${session.runtime.url}/#/my-alerts`)
    const notice = owner.getByTestId(`change-notice-${FLOW}`)
    await notice.waitFor()
    await expect(notice.textContent()).resolves.toMatch(/Published:.*Courier pickup.*was published by reviewer/)
    await expect(notice.textContent()).resolves.toContain('first published version')
    await expect(notice.getAttribute('data-read')).resolves.toBe('false')
    expect(await axeViolations(owner)).toEqual([])
    await screenshot(owner, 'change-notice-inbox')
    await notice.getByRole('button', { name: 'Mark read' }).focus()
    await owner.keyboard.press('Enter')
    await expect.poll(() => notice.getAttribute('data-read')).toBe('true')
    // The follower was told too.
    const follower = await session.login('auditor')
    await follower.goto(`${session.runtime.url}/#/my-alerts`)
    await expect.poll(() => follower.getByTestId(`change-notice-${FLOW}`).textContent()).toMatch(/Published:/)
    await follower.context().close()
    // Someone who neither owns nor follows the flow was not told.
    const other = await session.login('developer')
    await other.goto(`${session.runtime.url}/#/my-alerts`)
    await other.getByTestId('change-notices').getByTestId('empty').waitFor()
  })
})
