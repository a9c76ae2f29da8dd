// Two-step log-in in Chromium, as a person the admin added (the demo's own people log in with a
// password alone): the first log-in enrols an authenticator app from its QR code and shows the
// recovery codes once; the next log-in asks for a code, refuses a wrong one, and takes a recovery
// code instead. Each screen is reached and submitted with the keyboard and has no axe violation.
import * as OTPAuth from 'otpauth'
import { expect, it } from 'vitest'
import { axeViolations } from './axe.ts'
import { DEMO_PASSWORD, e2eSession, screenshot, trpcPost } from './harness.ts'

const session = e2eSession()
const PASSWORD = 'a long password for the nurse'

const trpc = (path: string, body: unknown, token?: string) => trpcPost(session.runtime.url, path, body, token)

it('a new nurse enrols an authenticator app at first log-in, then logs in with a code or a recovery code', async () => {
  const admin = (await trpc('auth.login', { username: 'admin', password: DEMO_PASSWORD })) as { token: string }
  await trpc(
    'users.add',
    { username: 'nurse', password: PASSWORD, role: 'agent', flowRoles: ['front-desk'] },
    admin.token,
  )

  const page = await session.login('analyst').then(async (p) => {
    // A fresh page for the nurse: log the analyst out to reach the log-in screen again.
    await p.getByRole('button', { name: 'Log out' }).click()
    return p
  })
  await page.getByTestId('login-username').fill('nurse')
  await page.getByTestId('login-password').fill(PASSWORD)
  await page.getByTestId('login-password').press('Enter')

  // Enrolment: QR code, key, first code typed into the focused field, Enter.
  await page.getByTestId('enrol-qr').waitFor()
  expect(await axeViolations(page)).toEqual([])
  await screenshot(page, 'mfa-enrol')
  const secret = ((await page.getByTestId('enrol-secret').textContent()) ?? '').replace(/\s/g, '')
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 })
  await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('enrol-code')
  await page.keyboard.type(totp.generate())
  await page.keyboard.press('Enter')

  // Recovery codes, shown once; the box is ticked and Continue pressed with the keyboard.
  await page.getByTestId('recovery-codes').waitFor()
  expect(await axeViolations(page)).toEqual([])
  const codes = await page.getByTestId('recovery-codes').locator('code').allTextContents()
  expect(codes).toHaveLength(10)
  await page.getByTestId('recovery-saved').focus()
  await page.keyboard.press('Space')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Enter')
  await expect.poll(() => page.getByTestId('current-user').textContent()).toContain('nurse')

  // The next log-in: password, then the second step.
  await page.getByRole('button', { name: 'Log out' }).click()
  await page.getByTestId('login-username').fill('nurse')
  await page.getByTestId('login-password').fill(PASSWORD)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('mfa-form').waitFor()
  expect(await axeViolations(page)).toEqual([])
  await page.keyboard.type('000000')
  await page.keyboard.press('Enter')
  await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('Wrong code.')
  await screenshot(page, 'mfa-wrong-code')
  await page.getByTestId('mfa-toggle-recovery').click()
  await page.getByTestId('mfa-code').fill(codes[0]!)
  await page.keyboard.press('Enter')
  await expect.poll(() => page.getByTestId('current-user').textContent()).toContain('nurse')
  await page.context().close()
})
