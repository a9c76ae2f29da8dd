// The security settings and reviews in Chromium: the admin sets which roles need a second factor,
// a flow's retention period and how long inbound HL7 messages are kept; compliance (the auditor) reviews a break-glass reveal and signs
// it off with a note. Each screen is axe-clean, and what they set is what the server now holds.
import { expect, it } from 'vitest'
import { axeViolations } from './axe.ts'
import { DEMO_PASSWORD, e2eSession, screenshot } from './harness.ts'

const session = e2eSession()

async function trpc(path: string, body: unknown, token?: string, kind: 'query' | 'mutation' = 'mutation') {
  const base = `${session.runtime.url}/trpc/${path}`
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }
  const res =
    kind === 'query'
      ? await fetch(`${base}?input=${encodeURIComponent(JSON.stringify(body))}`, { headers })
      : await fetch(base, { method: 'POST', headers, body: JSON.stringify(body) })
  const json = (await res.json()) as { result?: { data: unknown }; error?: unknown }
  if (!res.ok) throw new Error(`${path}: ${JSON.stringify(json.error)}`)
  return json.result?.data
}
const tokenOf = async (username: string) =>
  ((await trpc('auth.login', { username, password: DEMO_PASSWORD })) as { token: string }).token

it('the admin sets the MFA policy and retention periods; the auditor signs off a break-glass reveal', async () => {
  const admin = await session.login('admin')
  await admin.getByTestId('security-panel').waitFor()
  expect(await axeViolations(admin)).toEqual([])
  const analystBox = admin.getByTestId('mfa-role-analyst')
  const wasRequired = await analystBox.isChecked()
  await analystBox.focus()
  await admin.keyboard.press('Space')
  await admin.getByTestId('mfa-policy-save').click()
  await expect.poll(() => admin.getByTestId('security-notice').textContent()).toBe('Second-factor policy saved.')
  const policy = (await trpc('security.mfaPolicy', undefined, await tokenOf('admin'), 'query')) as {
    required: string[]
  }
  expect(policy.required.includes('analyst')).toBe(!wasRequired)

  await admin.getByTestId('retention-flow').fill('eligibility-verification')
  await admin.getByTestId('retention-days').fill('400')
  await admin.getByTestId('retention-save').click()
  await expect.poll(() => admin.getByTestId('retention-list').textContent()).toContain('eligibility-verification400')
  await expect.poll(() => admin.getByTestId('inbound-retention-now').textContent()).toContain('with no limit')
  await admin.getByTestId('inbound-retention-days').fill('90')
  await admin.getByTestId('inbound-retention-save').click()
  await expect
    .poll(() => admin.getByTestId('inbound-retention-now').textContent())
    .toContain('Inbound HL7 messages are kept 90 days.')
  const retention = (await trpc('security.retention', undefined, await tokenOf('admin'), 'query')) as {
    hl7InboundDays: number | null
  }
  expect(retention.hl7InboundDays).toBe(90)
  await admin.getByTestId('inbound-retention-now').scrollIntoViewIfNeeded()
  await screenshot(admin, 'security-retention')
  expect(await axeViolations(admin)).toEqual([])
  await admin.context().close()

  // An agent breaks the glass on a run of theirs.
  const agent = await tokenOf('agent')
  const run = (await trpc(
    'runs.start',
    {
      flowId: 'eligibility-verification',
      input: {
        appointment: { id: 'SCH-9', date: '2026-12-01', visitType: 'follow-up' },
        patient: { mrn: 'MRN-BG-9', firstName: 'Glass', lastName: 'Broken', birthDate: '1970-01-01' },
      },
      idempotencyKey: 'break-glass-e2e',
    },
    agent,
  )) as { id: string }
  await trpc(
    'security.requestReveal',
    {
      runId: run.id,
      classes: ['clinical'],
      reason: 'Coverage question from the payer needs the clinical detail',
      minutes: 5,
    },
    agent,
  )

  const auditor = await session.login('auditor')
  await auditor.getByTestId('nav-reveals').click()
  await auditor.getByTestId('reveals-list').waitFor()
  expect(await axeViolations(auditor)).toEqual([])
  await auditor.getByTestId('reveal-note').fill('Checked with the payer: justified.')
  await auditor.getByTestId('reveal-note').press('Enter')
  await expect.poll(() => auditor.getByTestId('empty').textContent()).toBe('No reveal is waiting for sign-off.')
  await auditor.getByTestId('reveals-pending-only').uncheck()
  await expect.poll(() => auditor.getByTestId('reveals-list').textContent()).toContain('Signed off by auditor')
  expect(await axeViolations(auditor)).toEqual([])
  await auditor.context().close()
})
