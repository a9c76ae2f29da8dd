// Single sign-on in Chromium through a real OpenID Connect provider (oidc-provider) on 127.0.0.1:
// the log-in screen offers it, the browser goes to the IdP's page and back, and the person the
// IdP names is logged in with the role its groups give (the IdP asserted a second factor, which
// the default policy accepts). Someone whose groups have no Carepath role is sent back with a
// plain notice. The log-in screen with the SSO button has no axe violation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startOidcTestProvider, type OidcTestProvider } from '../../apps/runtime/src/testing/oidc-test-provider.ts'
import { axeViolations } from './axe.ts'
import { E2E_WAIT_MS } from './e2e-limits.ts'
import { freePort, launchBrowser, screenshot, startRuntime, type Runtime } from './harness.ts'

let idp: OidcTestProvider
let runtime: Runtime
let browser: Browser
const dir = mkdtempSync(join(tmpdir(), 'carepath-e2e-sso-'))

beforeAll(async () => {
  const port = await freePort()
  const redirectUri = `http://127.0.0.1:${port}/auth/oidc/callback`
  idp = await startOidcTestProvider({
    redirectUri,
    accounts: {
      'dr.okafor': { groups: ['carepath-reviewers'], amr: ['pwd', 'otp'] },
      outsider: { groups: ['marketing'], amr: ['pwd', 'otp'] },
    },
  })
  const config = join(dir, 'oidc.json')
  writeFileSync(
    config,
    JSON.stringify({
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectUri,
      label: 'Hospital SSO',
      scope: 'openid profile groups',
      roles: [{ group: 'carepath-reviewers', role: 'reviewer' }],
    }),
  )
  runtime = await startRuntime({ port, extraArgs: ['--oidc', config] })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await runtime?.stop()
  await idp?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function page() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  context.setDefaultTimeout(E2E_WAIT_MS)
  const p = await context.newPage()
  await p.goto(runtime.url)
  return p
}

it('logs in through the identity provider, with the role its groups give', async () => {
  const p = await page()
  await p.getByTestId('login-sso').waitFor()
  expect(await p.getByTestId('login-sso').textContent()).toBe('Log in with Hospital SSO')
  expect(await axeViolations(p)).toEqual([])
  await p.getByTestId('login-sso').click()
  // The IdP's own page, on its own origin.
  await p.getByTestId('idp-account').waitFor()
  expect(new URL(p.url()).origin).toBe(idp.issuer)
  await p.getByTestId('idp-account').fill('dr.okafor')
  await p.getByTestId('idp-submit').click()
  await expect.poll(() => p.getByTestId('current-user').textContent()).toContain('dr.okafor')
  expect(await p.getByTestId('current-user').textContent()).toContain('reviewer')
  // Nothing of the log-in stays in the address bar.
  expect(new URL(p.url()).hash).not.toMatch(/sso/)
  await screenshot(p, 'sso-logged-in')
  await p.context().close()
})

it('sends someone whose groups have no Carepath role back to the log-in screen with a plain notice', async () => {
  const p = await page()
  await p.getByTestId('login-sso').click()
  await p.getByTestId('idp-account').fill('outsider')
  await p.getByTestId('idp-submit').click()
  await expect.poll(() => p.getByTestId('sso-error').textContent()).toMatch(/Single sign-on did not log you in/)
  await p.context().close()
})
