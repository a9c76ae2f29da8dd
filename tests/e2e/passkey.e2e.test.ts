// Passkeys in Chromium, with its virtual authenticator (DevTools protocol: WebAuthn.enable,
// WebAuthn.addVirtualAuthenticator): a person the admin added enrols a passkey at first log-in
// instead of an authenticator app, saves the recovery codes, and logs in next time with the
// passkey. The page is reached as http://localhost (a passkey's relying party is a host name).
import { expect, it } from 'vitest'
import { axeViolations } from './axe.ts'
import { DEMO_PASSWORD, e2eSession, screenshot, trpcPost } from './harness.ts'

const session = e2eSession()
const PASSWORD = 'a long password for the pharmacist'

const trpc = (path: string, body: unknown, token?: string) => trpcPost(session.runtime.url, path, body, token)

it('a new person enrols a passkey at first log-in and logs in with it next time', async () => {
  const admin = (await trpc('auth.login', { username: 'admin', password: DEMO_PASSWORD })) as { token: string }
  await trpc(
    'users.add',
    { username: 'pharmacist', password: PASSWORD, role: 'agent', flowRoles: ['front-desk'] },
    admin.token,
  )
  const page = await session.login('analyst')
  await page.getByRole('button', { name: 'Log out' }).click()
  await page.goto(session.runtime.url.replace('127.0.0.1', 'localhost'))
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })

  const passwordStep = async () => {
    await page.getByTestId('login-username').fill('pharmacist')
    await page.getByTestId('login-password').fill(PASSWORD)
    await page.getByTestId('login-password').press('Enter')
  }
  await passwordStep()
  await page.getByTestId('enrol-passkey').waitFor()
  expect(await axeViolations(page)).toEqual([])
  await page.getByTestId('enrol-passkey').focus()
  await page.keyboard.press('Enter')
  await page.getByTestId('recovery-codes').waitFor()
  expect(await page.getByTestId('recovery-codes').locator('code').count()).toBe(10)
  await page.getByTestId('recovery-saved').check()
  await page.getByTestId('recovery-continue').click()
  await expect.poll(() => page.getByTestId('current-user').textContent()).toContain('pharmacist')
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
  expect(credentials).toHaveLength(1)

  await page.getByRole('button', { name: 'Log out' }).click()
  await passwordStep()
  await page.getByTestId('mfa-passkey').waitFor()
  expect(await axeViolations(page)).toEqual([])
  await screenshot(page, 'passkey-second-step')
  await page.getByTestId('mfa-passkey').click()
  await expect.poll(() => page.getByTestId('current-user').textContent()).toContain('pharmacist')
  const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
  expect(after.credentials[0]!.signCount).toBeGreaterThan(credentials[0]!.signCount)
  await page.context().close()
})
