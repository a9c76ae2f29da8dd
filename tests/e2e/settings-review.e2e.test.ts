// Settings under review in Chromium: a change to a connector endpoint needs a second person. The
// first admin proposes a new FHIR server address from the admin screen; the endpoint the runtime
// uses is unchanged and the proposer cannot approve it; a second admin reads the diff and
// approves; the new endpoint applies. Keyboard only for the decisions; each screen axe-clean.
import { expect, it } from 'vitest'
import { axeViolations } from './axe.ts'
import { DEMO_PASSWORD, e2eSession } from './harness.ts'

const session = e2eSession()
const OLD = 'https://ehr-old.example.org/fhir/R4'
const NEW = 'https://ehr-new.example.org/fhir/R4'

/**
 * fetch, tried once more when a kept-alive connection was reset before the request went out: the
 * runtime closes idle connections after a few seconds, and on a loaded machine the test's next
 * call can pick one up just as it closes (the request never reached the server).
 */
async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined
    if (!(cause instanceof Error) || !('code' in cause) || cause.code !== 'ECONNRESET') throw error
    return fetch(url, init)
  }
}
async function trpc(path: string, token: string | undefined, body?: unknown): Promise<unknown> {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }
  const url = `${session.runtime.url}/trpc/${path}`
  const res = await send(
    url,
    body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) },
  )
  const json = (await res.json()) as { result?: { data: unknown }; error?: unknown }
  if (!res.ok) throw new Error(`${path}: ${JSON.stringify(json.error)}`)
  return json.result?.data
}
const query = (path: string, token: string) => trpc(path, token)
const post = (path: string, body: unknown, token?: string) => trpc(path, token, body)
const tokenOf = async (username: string) => {
  const login = await post('auth.login', { username, password: DEMO_PASSWORD })
  if (typeof login !== 'object' || login === null || !('token' in login) || typeof login.token !== 'string')
    throw new Error(`${username} could not log in`)
  return login.token
}
const fhirBaseUrl = async (token: string) => JSON.stringify(await query('settings.integrations', token))

it('a change to a connector endpoint applies only after a second admin approves it', async () => {
  // First-time set-up (no revision yet): the developer's settings apply at once as revision 1.
  const developer = await tokenOf('developer')
  await post('settings.setIntegrations', { fhir: { baseUrl: OLD } }, developer)
  // A second admin, who logs in with a password alone like the demo's people.
  const adminToken = await tokenOf('admin')
  await post('users.add', { username: 'admin2', password: DEMO_PASSWORD, role: 'admin', flowRoles: [] }, adminToken)
  const policy = await query('security.mfaPolicy', adminToken)
  if (
    typeof policy !== 'object' ||
    policy === null ||
    !('passwordOnly' in policy) ||
    !Array.isArray(policy.passwordOnly)
  )
    throw new Error('no MFA policy')
  await post('security.setMfaPolicy', { ...policy, passwordOnly: [...policy.passwordOnly, 'admin2'] }, adminToken)

  const admin = await session.login('admin')
  const panel = admin.getByTestId('connector-settings')
  await panel.getByTestId('settings-fhir-base-url').waitFor()
  expect(await panel.getByTestId('settings-revision').textContent()).toBe('Current settings: revision 1.')
  await panel.getByText('No settings change is waiting for review.').waitFor()
  expect(await axeViolations(admin)).toEqual([])
  await panel.getByTestId('settings-fhir-base-url').fill(NEW)
  await panel.getByTestId('settings-reason').fill('The EHR moves to its new data centre')
  await panel.getByTestId('settings-reason').press('Enter')
  await expect
    .poll(() => panel.getByTestId('settings-proposed').textContent())
    .toContain('Proposed — waiting for a second person')
  // The proposer sees their change waiting, with no way to approve it themselves.
  await panel.getByTestId('settings-own-proposal').waitFor()
  expect(await panel.getByTestId('settings-approve').count()).toBe(0)
  expect(await panel.getByTestId('settings-diff').textContent()).toContain(NEW)
  expect(await axeViolations(admin)).toEqual([])
  await admin.context().close()

  // Nothing applied yet.
  expect(await fhirBaseUrl(developer)).toContain(OLD)
  expect(await fhirBaseUrl(developer)).not.toContain(NEW)

  const second = await session.login('admin2')
  const pending = second.getByTestId('connector-settings').getByTestId('settings-pending')
  await pending.waitFor()
  const diff = await pending.getByTestId('settings-diff').textContent()
  expect(diff).toContain('fhir.baseUrl')
  expect(diff).toContain(OLD)
  expect(diff).toContain(NEW)
  expect(await pending.textContent()).toContain('The EHR moves to its new data centre')
  expect(await axeViolations(second)).toEqual([])
  await pending.getByTestId('settings-decision-note').fill('Confirmed with the EHR team')
  await pending.getByTestId('settings-approve').focus()
  await second.keyboard.press('Enter')
  const panel2 = second.getByTestId('connector-settings')
  await expect.poll(() => panel2.getByTestId('settings-revision').textContent()).toBe('Current settings: revision 2.')
  await panel2.getByText('No settings change is waiting for review.').waitFor()
  await panel2.getByText('Every published version runs with the current settings.').waitFor()
  expect(await panel2.getByTestId('settings-fhir-base-url').inputValue()).toBe(NEW)
  const history = await panel2.getByTestId('settings-history').textContent()
  expect(history).toContain('admin2')
  expect(history).toContain(`fhir.baseUrl: "${OLD}" → "${NEW}"`)
  expect(await axeViolations(second)).toEqual([])
  await second.context().close()

  // Applied.
  expect(await fhirBaseUrl(developer)).toContain(NEW)
})
