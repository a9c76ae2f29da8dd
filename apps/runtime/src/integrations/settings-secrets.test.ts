import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestRuntime, type TestRuntime } from '../testing/index.ts'
import { integrationSettingsSchema } from './settings.schema.ts'
import { keepStoredSecrets, maskSecrets } from './settings-secrets.ts'

const CANARY = 'canary-secret-7f3a9c1e5b'
// What the built-in connectors and webhooks read: what the API accepts.
const installed = {
  fhir: { baseUrl: 'https://ehr.example.org/fhir/R4', headers: { Authorization: `Bearer ${CANARY}-fhir` } },
  payers: {
    acme: {
      x12: {
        url: 'https://edi.acme.example/270',
        headers: { 'x-api-key': `${CANARY}-x12` },
        senderId: 'CAREPATH',
        receiverId: 'ACME',
        payerName: 'ACME',
        payerId: '842610001',
        providerName: 'CLINIC',
        providerNpi: '1234567893',
      },
      fhir: { baseUrl: 'https://api.acme.example/fhir', headers: { Authorization: `Bearer ${CANARY}-payer` } },
    },
  },
  http: { allowHosts: ['api.example.org'] },
  notify: {
    smtp: { host: 'smtp.example.org', port: 587, from: 'clinic@example.org', user: 'mailer', pass: `${CANARY}-smtp` },
    sms: { url: 'https://sms.example/send', headers: { 'x-api-key': `${CANARY}-sms` } },
  },
  webhooks: { secrets: { lab: `${CANARY}-webhook` } },
}
// Plus a key no connector uses: masking still finds credentials there by name.
const full = { ...installed, extra: { apiToken: { token: `${CANARY}-loose` } } }

describe('maskSecrets / keepStoredSecrets', () => {
  it('masks every credential and keeps the rest readable', () => {
    const masked = maskSecrets(full)
    expect(JSON.stringify(masked)).not.toContain(CANARY)
    expect(masked).toMatchObject({
      fhir: { baseUrl: 'https://ehr.example.org/fhir/R4', headers: { Authorization: 'set' } },
      notify: { smtp: { host: 'smtp.example.org', user: 'mailer', pass: 'set' } },
      webhooks: { secrets: { lab: 'set' } },
      http: { allowHosts: ['api.example.org'] },
    })
    expect(maskSecrets({ notify: { smtp: { host: 'h', pass: '' } } })).toEqual({
      notify: { smtp: { host: 'h', pass: null } },
    })
  })

  it('saving the masked view back keeps the stored secrets; a "set" with nothing stored is refused', () => {
    const kept = keepStoredSecrets(maskSecrets(full), full)
    expect(kept).toEqual({ ok: true, value: full })
    expect(keepStoredSecrets({ webhooks: { secrets: { lab: 'set', portal: 'set' } } }, full)).toEqual({
      ok: false,
      path: 'webhooks.secrets.portal',
    })
  })
})

describe('settings.integrations over the API', () => {
  let t: TestRuntime
  beforeAll(async () => {
    t = await createTestRuntime()
  })
  afterAll(() => t?.close())

  it('never returns a planted secret, while saving still accepts and applies them', async () => {
    const responses: unknown[] = []
    responses.push(await t.as.developer.settings.setIntegrations(installed))
    const read = await t.as.developer.settings.integrations()
    responses.push(read)
    expect(read).toMatchObject({ notify: { smtp: { pass: 'set' } }, webhooks: { secrets: { lab: 'set' } } })
    // The stored settings (what connectors and the webhook verifier use) hold the real values.
    const stored = integrationSettingsSchema.parse(t.runtime.integrations.get())
    expect(stored.webhooks.secrets['lab']).toBe(`${CANARY}-webhook`)
    expect(stored.notify.smtp?.pass).toBe(`${CANARY}-smtp`)

    // A developer edits one field of what they read and proposes it; an admin approves: the secrets survive.
    const proposed = await t.as.developer.settings.propose({
      settings: { ...read, http: { allowHosts: ['api.example.org', 'other.example.org'] } },
      reason: 'Allow the other host',
    })
    responses.push(proposed, await t.as.admin.settings.approve({ id: proposed.id }))
    const again = integrationSettingsSchema.parse(t.runtime.integrations.get())
    expect(again.http.allowHosts).toContain('other.example.org')
    expect(again.webhooks.secrets['lab']).toBe(`${CANARY}-webhook`)
    expect(again.fhir?.headers['Authorization']).toBe(`Bearer ${CANARY}-fhir`)

    // A new secret replaces the old one.
    const rotated = await t.as.developer.settings.propose({
      settings: { ...installed, webhooks: { secrets: { lab: 'a-new-secret-0123456789' } } },
      reason: 'Rotate the lab signing secret',
    })
    responses.push(rotated, await t.as.admin.settings.approve({ id: rotated.id }), await t.as.admin.settings.review())
    expect(integrationSettingsSchema.parse(t.runtime.integrations.get()).webhooks.secrets['lab']).toBe(
      'a-new-secret-0123456789',
    )
    responses.push(await t.as.developer.settings.integrations())

    const refused = await t.as.developer.settings
      .propose({ settings: { webhooks: { secrets: { unknown: 'set' } } }, reason: 'A secret never stored' })
      .catch((e: unknown) => e)
    expect(String(refused)).toMatch(/No secret is stored at "webhooks\.secrets\.unknown"/)
    responses.push(String(refused))
    responses.push(await t.as.auditor.audit.list({ limit: 100 }))
    for (const response of responses) expect(JSON.stringify(response)).not.toContain(CANARY)
    expect(JSON.stringify(responses)).not.toContain('a-new-secret')
  })

  it('keeps the credentials sealed at rest: not in the database file or its WAL', async () => {
    // A proposal waiting for review holds the whole settings object: sealed as well.
    await t.as.developer.settings.propose({ settings: installed, reason: 'Back to the installed settings' })
    const row = t.runtime.db.$client
      .prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'integrations'")
      .get()
    expect(row?.value).toMatch(/^\{"sealed":"/)
    const revisions = t.runtime.db.$client.prepare<[], { value: string }>('SELECT value FROM settings_revisions').all()
    expect(revisions.length).toBeGreaterThan(1)
    for (const revision of revisions) expect(revision.value).toMatch(/^\{"sealed":"/)
    for (const file of ['carepath.db', 'carepath.db-wal'].map((name) => join(t.dir, name)))
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(CANARY)), file).toBe(false)
    // ...while the runtime reads them back whole.
    expect(integrationSettingsSchema.parse(t.runtime.integrations.get()).notify.smtp?.pass).toBe(`${CANARY}-smtp`)
  })

  it('refuses a key that no installed connector uses, naming it, and keeps the stored settings', async () => {
    const before = t.runtime.integrations.get()
    const refused = await t.as.developer.settings
      .propose({ settings: { ...installed, consent: { baseUrl: 'https://consent.example.org' } }, reason: 'Consent' })
      .catch((e: unknown) => e)
    expect(String(refused)).toMatch(/"consent" is not a setting of this installation/)
    expect(String(refused)).toMatch(/settings: crm, events, fhir, hl7out, http, notify, payers, tls, webhooks/)
    expect(t.runtime.integrations.get()).toEqual(before)
  })

  it('takes settings at once only while none exist (first-time set-up); afterwards a change is a proposal', async () => {
    const refused = await t.as.developer.settings.setIntegrations(installed).catch((e: unknown) => e)
    expect(String(refused)).toMatch(/already set up; a change is proposed for review/)
  })
})
