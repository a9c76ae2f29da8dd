// The auditor's accounting of access in real Chromium against `serve --demo`: an agent starts a
// run for a patient and opens it; the auditor, from the keyboard alone, searches the patient's
// MRN and sees who started and viewed the run and which PHI classes they were shown; another
// MRN finds nothing; the list saves as a CSV file; the screen is axe-clean in each state.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { axeViolations } from './axe.ts'
import { DEMO_PASSWORD, e2eSession, screenshot } from './harness.ts'

const session = e2eSession()
const MRN = 'MRN-ACCESS-0042'

async function rpc(token: string | null, path: string, input: unknown, kind: 'query' | 'mutation' = 'mutation') {
  const base = `${session.runtime.url}/trpc/${path}`
  const headers: Record<string, string> = { 'content-type': 'application/json', connection: 'close' }
  if (token) headers.authorization = `Bearer ${token}`
  const response =
    kind === 'query'
      ? await fetch(`${base}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(base, { method: 'POST', headers, body: JSON.stringify(input) })
  const body = (await response.json()) as { result?: { data: unknown }; error?: { message: string } }
  if (!response.ok) throw new Error(`${path}: ${body.error?.message ?? response.status}`)
  return body.result?.data
}

it('the auditor lists every access to one patient by MRN, from the keyboard, and saves it as CSV', async () => {
  const { token } = (await rpc(null, 'auth.login', { username: 'agent', password: DEMO_PASSWORD })) as { token: string }
  const run = (await rpc(token, 'runs.start', {
    flowId: 'eligibility-verification',
    input: {
      appointment: { id: 'SCH-42', date: '2026-12-01', visitType: 'follow-up' },
      patient: { mrn: MRN, firstName: 'Access', lastName: 'Report', birthDate: '1980-02-02', phone: '555-0142' },
    },
    idempotencyKey: 'access-e2e',
  })) as { id: string }
  await rpc(token, 'runs.get', { id: run.id }, 'query')

  const auditor = await session.login('auditor')
  await auditor.getByTestId('nav-access').focus()
  await auditor.keyboard.press('Enter')
  await auditor.getByTestId('access-screen').waitFor()
  expect(await axeViolations(auditor)).toEqual([])

  // Keyboard only: tab to the patient field, type, Enter submits the form.
  await auditor.getByTestId('access-patient').focus()
  await auditor.keyboard.type(MRN)
  await auditor.keyboard.press('Enter')
  await auditor.getByTestId('access-results').waitFor()
  const rows = auditor.getByTestId('access-row')
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2)
  const text = await auditor.getByTestId('access-results').textContent()
  expect(text).toContain('Started the run')
  expect(text).toContain('Viewed the run')
  expect(text).toContain('agent')
  expect(text).toContain(run.id.slice(0, 8))
  expect(text).toMatch(/demographic/)
  // The patient's values are never on this screen: only who, when, what and the classes.
  expect(text).not.toContain('Report')
  expect(await axeViolations(auditor)).toEqual([])
  await screenshot(auditor, 'access-report')

  const [download] = await Promise.all([auditor.waitForEvent('download'), auditor.getByTestId('access-export').click()])
  const csv = readFileSync((await download.path())!, 'utf8')
  expect(csv.split('\r\n')[0]).toBe('seq,at,who,role,action,outcome,flow,run,tasks,classes')
  expect(csv).toContain(`run.read,success,eligibility-verification,${run.id}`)
  await expect.poll(() => auditor.getByTestId('access-status').textContent()).toMatch(/Saved \d+ rows as CSV/)

  await auditor.getByTestId('access-patient').fill('MRN-NOBODY')
  await auditor.getByTestId('access-search').click()
  await expect.poll(() => auditor.getByTestId('empty').textContent()).toMatch(/No record matches/)
  expect(await axeViolations(auditor)).toEqual([])
  await auditor.context().close()
})
