// A task for a new queue reaches the person an admin adds to that queue, in real Chromium against
// `serve --demo`: a flow sending its insurance step to a new "pharmacy" queue is published (over
// the API), the admin screen shows the queue as worked by nobody, the admin adds a pharmacist
// who works it, and the pharmacist's inbox receives the run's task while the call-centre agent's does not.
// The pharmacist then hands the task on from the keyboard: a release and a reassignment the server
// refuses are explained, and an escalation to the eligibility specialists with a reason goes through.
// An auditor replays the run from the run viewer: byte-identical.
// An admin narrows a queue's PHI clearance from the keyboard, and the analyst's problems list then
// warns that the flow's role asks for classes its people will see hidden.
// Two admins on one queue: a save over the other's change (made over the API while the page is
// open) is refused beside the row in plain words, the edit stays, and Reload shows their change.
// The same for a person: a queue ticked over another admin's change to that person is refused
// beside their row, and Reload with "Use my edit again" keeps both; a role changed with the queue is
// saved with it in one request.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { axeViolations } from './axe.ts'
import { DEMO_PASSWORD, e2eSession, repoRoot, screenshot } from './harness.ts'

const session = e2eSession()
const FLOW = 'eligibility-pharmacy'
// The harness logs every page in with the demo password, so the new person gets it too.
const PASSWORD = DEMO_PASSWORD

async function token(username: string, password = DEMO_PASSWORD): Promise<string> {
  const response = await fetch(`${session.runtime.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  const body: unknown = await response.json()
  if (typeof body !== 'object' || body === null || !('token' in body) || typeof body.token !== 'string')
    throw new Error(`${username} could not log in`)
  return body.token
}

async function mutate(path: string, as: string, input: unknown): Promise<unknown> {
  const response = await fetch(`${session.runtime.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
    body: JSON.stringify(input),
  })
  const body: unknown = await response.json()
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`)
  return body
}

async function query(path: string, as: string): Promise<unknown> {
  const response = await fetch(`${session.runtime.url}/trpc/${path}`, { headers: { authorization: `Bearer ${as}` } })
  const body = (await response.json()) as { result?: { data: unknown } }
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`)
  return body.result?.data
}

/** One queue as `queues.list` gives it to `as`. */
async function listedQueue(name: string, as: string): Promise<{ description: string; phi: unknown; version: string }> {
  const listed = (await query('queues.list', as)) as {
    name: string
    description: string
    phi: unknown
    version: string
  }[]
  const queue = listed.find((q) => q.name === name)
  if (!queue) throw new Error(`no queue ${name}`)
  return queue
}

describe('a queue people actually work', () => {
  it('routes a task for a new queue to the person the admin adds to it', async () => {
    const text = readFileSync(join(repoRoot, 'examples/eligibility-verification.flow.json'), 'utf8')
    const document = JSON.parse(
      text.replaceAll('"front-desk"', '"pharmacy"').replace(/"eligibility-verification"/, `"${FLOW}"`),
    )
    const [analyst, reviewer, agent] = [await token('analyst'), await token('reviewer'), await token('agent')]
    const created = (await mutate('flows.create', analyst, { document })) as { result: { data: { hash: string } } }
    const hash = created.result.data.hash
    await mutate('review.submit', analyst, { id: FLOW })
    await mutate('review.approve', reviewer, { id: FLOW, hash, comment: 'pharmacy takes insurance collection' })
    await mutate('review.publish', reviewer, { id: FLOW, hash })

    // The analyst's problems list says it as the review did: the pharmacy queue has nobody in it.
    const designer = await session.login('analyst')
    await designer.goto(`${session.runtime.url}/#/flows/${FLOW}`)
    await expect
      .poll(() => designer.getByTestId('problems').textContent())
      .toMatch(/sends its tasks to the queue "pharmacy", which nobody works yet/)
    await designer.context().close()

    const admin = await session.login('admin')
    await admin.getByTestId('admin-screen').waitFor()
    await admin.getByTestId('queue-unworked-pharmacy').waitFor()
    await admin.getByTestId('add-user-name').fill('pharmacist')
    await admin.getByTestId('add-user-password').fill(PASSWORD)
    await admin.getByTestId('add-user-role').selectOption('agent')
    await admin.getByTestId('add-user-queue-pharmacy').check()
    await admin.getByTestId('add-user-submit').click()
    await expect.poll(() => admin.getByTestId('queue-pharmacy').textContent()).toContain('pharmacist')
    await expect(admin.getByTestId('queue-unworked-pharmacy').count()).resolves.toBe(0)
    // The demo's call-centre agent does not work the clinical queue.
    await expect(admin.getByTestId('queue-clinician').textContent()).resolves.not.toContain('agent,')
    await screenshot(admin, 'admin-users-and-queues')
    await admin.context().close()

    const input = {
      appointment: { id: 'SCH-9', date: '2026-12-01' },
      patient: { mrn: 'MRN-9', firstName: 'Synthetic', lastName: 'Nine', birthDate: '1970-01-01', phone: '555-0109' },
    }
    const started = (await mutate('runs.start', agent, { flowId: FLOW, input, idempotencyKey: 'pharmacy-1' })) as {
      result: { data: { id: string } }
    }
    const runId = started.result.data.id
    // A new person needs a second factor (the installation's policy); like the demo's own people,
    // this one is exempted by name so the test logs in with the password alone.
    const adminToken = await token('admin')
    const policyResponse = await fetch(`${session.runtime.url}/trpc/security.mfaPolicy`, {
      headers: { authorization: `Bearer ${adminToken}` },
    })
    const policy = ((await policyResponse.json()) as { result: { data: { passwordOnly: string[] } } }).result.data
    await mutate('security.setMfaPolicy', adminToken, {
      ...policy,
      passwordOnly: [...policy.passwordOnly, 'pharmacist'],
    })

    // Before anyone hands it on, the call-centre agent does not see the pharmacy task.
    const agentPage = await session.login('agent')
    await agentPage.getByTestId('nav-inbox').click()
    await agentPage.getByTestId('inbox').or(agentPage.getByTestId('empty')).first().waitFor()
    await expect(agentPage.locator('body').textContent()).resolves.not.toContain(FLOW)
    await agentPage.context().close()
    const pharmacist = await session.login('pharmacist')
    await pharmacist.getByTestId('nav-inbox').click()
    await expect.poll(() => pharmacist.getByTestId('inbox').textContent()).toContain('pharmacy')

    // Hand the task on, from the keyboard.
    await pharmacist.getByTestId('inbox-task').first().locator('a').focus()
    await pharmacist.keyboard.press('Enter')
    await pharmacist.getByTestId('task-actions').waitFor()
    await pharmacist.getByTestId('task-release').focus()
    await pharmacist.keyboard.press('Enter')
    await expect
      .poll(() => pharmacist.getByTestId('task-action-error').textContent())
      .toBe('Only a task you have claimed can be released.')
    await pharmacist.getByTestId('task-reassign-open').focus()
    await pharmacist.keyboard.press('Enter')
    await pharmacist.getByTestId('task-reassign-to').fill('agent')
    await pharmacist.keyboard.press('Enter')
    await expect
      .poll(() => pharmacist.getByTestId('task-action-error').textContent())
      .toBe('agent does not work the pharmacy queue.')
    await pharmacist.getByTestId('task-escalate-open').focus()
    await pharmacist.keyboard.press('Enter')
    await pharmacist.getByTestId('task-escalate-submit').focus()
    await pharmacist.keyboard.press('Enter')
    await expect
      .poll(() => pharmacist.getByTestId('task-action-error').textContent())
      .toBe('Choose the queue to escalate to.')
    await expect
      .poll(() => pharmacist.getByTestId('task-escalate-to').locator('option').allTextContents())
      .toEqual(['Choose a queue', 'Eligibility and billing specialist'])
    await pharmacist.getByTestId('task-escalate-to').selectOption('eligibility-specialist')
    await pharmacist
      .getByTestId('task-escalate-reason')
      .fill('The patient has a secondary plan; billing should collect it.')
    expect(await axeViolations(pharmacist)).toEqual([])
    await screenshot(pharmacist, 'task-escalate')
    await pharmacist.getByTestId('task-escalate-submit').focus()
    await pharmacist.keyboard.press('Enter')
    await expect
      .poll(() => pharmacist.getByTestId('task-handed-on').textContent())
      .toContain('The task was escalated to Eligibility and billing specialist.')
    await pharmacist.context().close()

    // The auditor replays the run from its viewer: the same trace, byte for byte.
    const auditor = await session.login('auditor')
    await auditor.goto(`${session.runtime.url}/#/runs/${runId}`)
    await auditor.getByTestId('run-viewer').waitFor()
    await auditor.getByTestId('run-replay').click()
    await expect
      .poll(() => auditor.getByTestId('run-replay-verdict').textContent())
      .toMatch(/^Replayed: byte-identical \(\d+ events\)\.$/)
    expect(await axeViolations(auditor)).toEqual([])
    await auditor.context().close()
  })

  it('lets the admin change a person’s product role and switch off their log-in', async () => {
    const admin = await session.login('admin')
    await admin.getByTestId('admin-screen').waitFor()
    await admin.getByTestId('add-user-name').fill('temp-clerk')
    await admin.getByTestId('add-user-password').fill(PASSWORD)
    await admin.getByTestId('add-user-role').selectOption('agent')
    await admin.getByTestId('add-user-submit').click()
    await admin.getByTestId('user-temp-clerk-role').waitFor()
    await admin.getByTestId('user-temp-clerk-role').selectOption('auditor')
    await expect.poll(() => admin.getByTestId('admin-notice').textContent()).toBe('temp-clerk is now an auditor.')
    await expect.poll(() => admin.getByTestId('user-temp-clerk-role').inputValue()).toBe('auditor')
    // The box follows the server: it shows the change once saved.
    await admin.getByTestId('user-temp-clerk-active').click()
    await expect.poll(() => admin.getByTestId('admin-notice').textContent()).toBe('temp-clerk can no longer log in.')
    await expect.poll(() => admin.getByTestId('user-temp-clerk').textContent()).toContain('(disabled)')
    await expect(admin.getByTestId('user-temp-clerk-active').isChecked()).resolves.toBe(false)
    expect(await axeViolations(admin)).toEqual([])
    await admin.context().close()
  })

  it('sets a queue’s PHI clearance from the keyboard, and the analyst sees the warning', async () => {
    const admin = await session.login('admin')
    await admin.getByTestId('admin-screen').waitFor()
    const check = (name: string) => admin.getByTestId(`queue-scheduler-clearance-${name}`)
    // The demo clears the scheduler queue for what its flow asks: identifiers, demographics and contacts.
    await expect.poll(() => check('words').textContent()).toBe('Cleared for identifier, demographic, contact')
    // The class boxes fold behind one button per queue, so Tab does not walk nine boxes a row.
    await expect(check('identifier').count()).resolves.toBe(0)
    await check('edit').focus()
    await admin.keyboard.press('Enter')
    await expect(check('edit').getAttribute('aria-expanded')).resolves.toBe('true')
    await expect(check('identifier').isChecked()).resolves.toBe(true)
    await expect(check('unset').isChecked()).resolves.toBe(false)
    // Untick identifiers and contacts (Space on one, Tab past demographics to the next), then save.
    await check('identifier').focus()
    await admin.keyboard.press('Space')
    await admin.keyboard.press('Tab')
    await admin.keyboard.press('Tab')
    await expect(admin.evaluate('document.activeElement?.dataset?.testid')).resolves.toBe(
      'queue-scheduler-clearance-contact',
    )
    await admin.keyboard.press('Space')
    await admin.getByTestId('queue-scheduler-save').focus()
    await admin.keyboard.press('Enter')
    await expect.poll(() => admin.getByTestId('admin-notice').textContent()).toBe('Queue “scheduler” saved.')
    await expect.poll(() => admin.getByTestId('queue-scheduler-save').count()).toBe(0)
    expect(
      await Promise.all(['unset', 'identifier', 'demographic', 'contact'].map((c) => check(c).isChecked())),
    ).toEqual([false, false, true, false])
    await expect(check('words').textContent()).resolves.toBe('Cleared for demographic')
    expect(await axeViolations(admin)).toEqual([])
    await screenshot(admin, 'admin-queue-clearance')

    const analyst = await session.login('analyst')
    await analyst.goto(`${session.runtime.url}/#/flows/no-show-rebook-hl7`)
    await expect
      .poll(() => analyst.getByTestId('problems').textContent())
      .toContain(
        'The role "scheduler" shows identifier and contact data, but the queue "scheduler" is cleared for demographic data only: its people will see identifier and contact data hidden.',
      )
    await analyst.context().close()

    // Back to no clearance, from the keyboard: each flow's role decides again.
    await check('unset').focus()
    await admin.keyboard.press('Space')
    await admin.getByTestId('queue-scheduler-save').focus()
    await admin.keyboard.press('Enter')
    await expect.poll(() => admin.getByTestId('queue-scheduler-save').count()).toBe(0)
    await expect.poll(() => check('unset').isChecked()).toBe(true)
    await expect(check('demographic').isChecked()).resolves.toBe(false)
    await expect(check('words').textContent()).resolves.toBe('No clearance set (sees what each flow asks)')
    await admin.context().close()
  })

  it('refuses a save over another admin’s change beside the row, keeps the edit, and Reload shows their change', async () => {
    // A second admin, who logs in with a password alone like the demo's people.
    const adminToken = await token('admin')
    await mutate('users.add', adminToken, { username: 'admin2', password: PASSWORD, role: 'admin', flowRoles: [] })
    const policy = (await query('security.mfaPolicy', adminToken)) as { passwordOnly: string[] }
    await mutate('security.setMfaPolicy', adminToken, { ...policy, passwordOnly: [...policy.passwordOnly, 'admin2'] })
    const admin2 = await token('admin2')

    const admin = await session.login('admin')
    await admin.getByTestId('admin-screen').waitFor()
    const row = (part: string) => admin.getByTestId(`queue-lab-support-${part}`)
    const description = admin.getByLabel('Description of lab-support')
    await description.waitFor()
    const read = await description.inputValue()
    const mine = 'Lab support desk: instrument faults and re-draws'
    await description.fill(mine)

    // While the page is open, the second admin widens the queue's clearance to clinical data.
    const theirs = await listedQueue('lab-support', admin2)
    expect(theirs.phi).toEqual(['identifier'])
    await mutate('queues.save', admin2, {
      name: 'lab-support',
      description: theirs.description,
      phi: ['identifier', 'clinical'],
      baseVersion: theirs.version,
    })
    await expect(row('clearance-words').textContent()).resolves.toBe('Cleared for identifier')

    await row('save').click()
    await expect
      .poll(() => row('error').textContent())
      .toMatch(
        /^Someone else changed the queue "lab-support" since you opened it \(at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, by admin2\)\. Reload to see their change; nothing was saved\./,
      )
    await expect(row('error').getAttribute('role')).resolves.toBe('alert')
    // Saving again on the version it was refused on would be refused again: Reload first.
    await expect(row('save').isDisabled()).resolves.toBe(true)
    // Nothing was saved, and the admin's edit is still on screen.
    await expect(description.inputValue()).resolves.toBe(mine)
    await expect(listedQueue('lab-support', admin2)).resolves.toMatchObject({
      description: theirs.description,
      phi: ['identifier', 'clinical'],
    })
    expect(await axeViolations(admin)).toEqual([])
    await screenshot(admin, 'admin-queue-conflict')

    // Reload shows the other admin's change, with the edit set aside in words to make again.
    await row('reload').click()
    await expect.poll(() => row('clearance-words').textContent()).toBe('Cleared for identifier, clinical')
    await expect.poll(() => description.inputValue()).toBe(read)
    await expect(row('error').count()).resolves.toBe(0)
    await expect(row('set-aside').textContent()).resolves.toContain(`Your edit, not saved: description “${mine}”.`)
    expect(await axeViolations(admin)).toEqual([])
    await row('reapply').click()
    await expect(description.inputValue()).resolves.toBe(mine)
    await expect(row('clearance-words').textContent()).resolves.toBe('Cleared for identifier, clinical')
    await row('save').click()
    await expect.poll(() => admin.getByTestId('admin-notice').textContent()).toBe('Queue “lab-support” saved.')
    await expect.poll(() => row('save').count()).toBe(0)
    // Both changes stand: the description typed here and the clearance the other admin set.
    await expect(description.inputValue()).resolves.toBe(mine)
    await expect(listedQueue('lab-support', admin2)).resolves.toMatchObject({
      description: mine,
      phi: ['identifier', 'clinical'],
    })
    await admin.context().close()
  })

  it('refuses a change of a person’s queues over another admin’s beside their row, and Reload shows both', async () => {
    const adminToken = await token('admin')
    await mutate('users.add', adminToken, { username: 'admin3', password: PASSWORD, role: 'admin', flowRoles: [] })
    await mutate('users.add', adminToken, {
      username: 'float-clerk',
      password: PASSWORD,
      role: 'agent',
      flowRoles: ['front-desk'],
    })
    const policy = (await query('security.mfaPolicy', adminToken)) as { passwordOnly: string[] }
    await mutate('security.setMfaPolicy', adminToken, { ...policy, passwordOnly: [...policy.passwordOnly, 'admin3'] })
    const admin3 = await token('admin3')
    const person = async () =>
      (
        (await query('users.list', admin3)) as {
          username: string
          role: string
          flowRoles: string[]
          version: string
        }[]
      ).find((u) => u.username === 'float-clerk')

    const admin = await session.login('admin')
    await admin.getByTestId('admin-screen').waitFor()
    const row = (part: string) => admin.getByTestId(`user-float-clerk-${part}`)
    await row('queue-lab-support').waitFor()
    await expect(row('queue-scheduler').isChecked()).resolves.toBe(false)

    // While the page is open, the other admin gives the clerk the scheduler queue.
    const read = await person()
    await mutate('users.setFlowRoles', admin3, {
      username: 'float-clerk',
      flowRoles: ['front-desk', 'scheduler'],
      baseVersion: read?.version,
    })

    // Ticking lab-support here would have sent the list without scheduler: it is refused instead.
    await row('queue-lab-support').focus()
    await admin.keyboard.press('Space')
    await expect
      .poll(() => row('error').textContent())
      .toMatch(
        /^Someone else changed the access of "float-clerk" since you opened it \(at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, by admin3\)\. Reload to see their change; nothing was saved\./,
      )
    await expect(row('error').getAttribute('role')).resolves.toBe('alert')
    await expect(row('queue-lab-support').isChecked()).resolves.toBe(true)
    await expect(person()).resolves.toMatchObject({ flowRoles: ['front-desk', 'scheduler'] })
    expect(await axeViolations(admin)).toEqual([])
    // The role changed too while refused: it joins the refused change on screen and waits for Reload
    // (sent on the outdated version it would only be refused again).
    await row('role').selectOption('auditor')
    await expect(row('role').inputValue()).resolves.toBe('auditor')
    await expect(row('error').textContent()).resolves.toMatch(
      /^Someone else changed the access of "float-clerk".*Further changes wait here until you reload\./,
    )
    await expect(person()).resolves.toMatchObject({ role: 'agent', flowRoles: ['front-desk', 'scheduler'] })

    // Reload, from the keyboard: the other admin's queue shows, and the tick is set aside to make again.
    await row('reload').focus()
    await admin.keyboard.press('Enter')
    await expect.poll(() => row('queue-scheduler').isChecked()).toBe(true)
    await expect(row('queue-lab-support').isChecked()).resolves.toBe(false)
    await expect(row('error').count()).resolves.toBe(0)
    await expect(row('set-aside').textContent()).resolves.toContain(
      'Your change, not saved: works lab-support; product role auditor.',
    )
    expect(await axeViolations(admin)).toEqual([])
    // Made again, the role and the queue go in one request, saved together.
    await row('reapply').focus()
    await admin.keyboard.press('Enter')
    await expect
      .poll(() => admin.getByTestId('admin-notice').textContent())
      .toBe('float-clerk is now an auditor; they work front-desk, lab-support, scheduler.')
    // Both changes stand: the queue ticked here and the one the other admin gave.
    await expect(person()).resolves.toMatchObject({
      role: 'auditor',
      flowRoles: ['front-desk', 'lab-support', 'scheduler'],
    })
    await expect(row('queue-lab-support').isChecked()).resolves.toBe(true)
    await admin.context().close()
  })
})
