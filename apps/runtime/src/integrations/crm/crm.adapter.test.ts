// The CRM nodes against a Salesforce-shaped test server with state and its own OAuth token
// endpoint: find the caller, read their history, write the call's outcome as a case (once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { crmCaseUpsert, crmContactFind, crmSettingsSchema } from '@carepath/nodes'
import { startCrmTestServer, type CrmTestServer } from '../testing/crm-test-server.ts'
import { runNode } from '../testing/node-harness.ts'
import { TEST_CONNECTOR_TIMEOUT_MS } from '../../testing/wait-until.ts'
import { createCrmAdapter } from './crm.adapter.ts'

let crm: CrmTestServer
const slept: number[] = []
beforeAll(async () => {
  crm = await startCrmTestServer()
  crm.contacts.set('003A', {
    Id: '003A',
    FirstName: 'Ann',
    LastName: "O'Neil",
    Phone: '+15550100',
    Email: 'ann@example.org',
    Birthdate: '1980-02-03',
  })
  crm.contacts.set('003B', { Id: '003B', FirstName: 'Bob', LastName: 'Ray', Phone: "x' OR Phone != '", Email: null })
  crm.tasks.set('00T1', {
    Id: '00T1',
    WhoId: '003A',
    Subject: 'Billing question',
    Status: 'Completed',
    ActivityDate: '2025-01-10',
  })
  crm.tasks.set('00T2', {
    Id: '00T2',
    WhoId: '003A',
    Subject: 'Refill request',
    Status: 'Completed',
    ActivityDate: '2025-02-20',
  })
  crm.tasks.set('00T3', {
    Id: '00T3',
    WhoId: '003B',
    Subject: 'Other person',
    Status: 'Open',
    ActivityDate: '2025-02-21',
  })
})
afterAll(() => crm.close())

const settings = (secret?: string) =>
  crmSettingsSchema.parse({
    instanceUrl: crm.url,
    tokenUrl: crm.tokenUrl,
    clientId: crm.clientId,
    clientSecret: secret ?? crm.clientSecret,
    timeoutMs: TEST_CONNECTOR_TIMEOUT_MS,
  })
const adapter = (secret?: string) => ({
  crm: createCrmAdapter(settings(secret), {
    fetch,
    sleep: async (ms) => {
      slept.push(ms)
    },
  }),
})

describe('crm connector', () => {
  it('finds the caller by phone with their interaction history, newest first', async () => {
    const { outcome, error } = await runNode(
      crmContactFind,
      { by: 'phone', valueFrom: 'caller.phone', into: 'contact', historyInto: 'history', historyLimit: 5 },
      { facts: { caller: { phone: '+15550100' } }, connectors: adapter() },
    )
    expect(error?.message).toBeUndefined()
    expect(outcome).toEqual({
      kind: 'next',
      port: 'found',
      set: {
        contact: {
          id: '003A',
          firstName: 'Ann',
          lastName: "O'Neil",
          phone: '+15550100',
          email: 'ann@example.org',
          birthDate: '1980-02-03',
        },
        history: [
          { id: '00T2', subject: 'Refill request', status: 'Completed', date: '2025-02-20' },
          { id: '00T1', subject: 'Billing question', status: 'Completed', date: '2025-01-10' },
        ],
      },
    })
  })

  it('keeps a quote in a search value inside the literal, and routes an unknown caller to notFound', async () => {
    const injected = await runNode(
      crmContactFind,
      { by: 'phone', valueFrom: 'p', into: 'contact' },
      { facts: { p: "x' OR Phone != '" }, connectors: adapter() },
    )
    expect(injected.outcome).toMatchObject({ port: 'found', set: { contact: { id: '003B' } } })
    const unknown = await runNode(
      crmContactFind,
      { by: 'email', valueFrom: 'e', into: 'contact' },
      { facts: { e: 'nobody@example.org' }, connectors: adapter() },
    )
    expect(unknown.outcome).toEqual({ kind: 'next', port: 'notFound' })
  })

  it('writes the outcome as a case once: the same key updates it, and a token revoked mid-run is renewed', async () => {
    const connectors = adapter()
    const config = {
      fields: { Subject: 'Eligibility call', Status: { $fact: 'status' }, ContactId: { $fact: 'contact.id' } },
      keyFrom: 'callId',
      idInto: 'caseId',
    }
    const created = await runNode(crmCaseUpsert, config, {
      facts: { status: 'New', contact: { id: '003A' }, callId: 'call-1' },
      connectors,
    })
    expect(created.outcome).toMatchObject({ port: 'created', set: { caseId: expect.stringMatching(/^500/) } })
    const issued = crm.tokensIssued
    crm.revokeTokens()
    const updated = await runNode(crmCaseUpsert, config, {
      facts: { status: 'Closed', contact: { id: '003A' }, callId: 'call-1' },
      connectors,
    })
    expect(updated.outcome).toMatchObject({
      port: 'updated',
      set: { caseId: crm.cases.get('call-1')?.['Id'] },
    })
    expect(crm.tokensIssued).toBe(issued + 1)
    expect(crm.cases.size).toBe(1)
    expect(crm.cases.get('call-1')).toMatchObject({ Subject: 'Eligibility call', Status: 'Closed', ContactId: '003A' })
  })

  it('waits out a short 429 once, fails retryably on a second, and refuses a wrong secret plainly', async () => {
    const connectors = adapter()
    crm.rateLimit(1, 1)
    const first = await runNode(
      crmContactFind,
      { by: 'phone', valueFrom: 'p', into: 'c' },
      { facts: { p: '+15550100' }, connectors },
    )
    expect(first.outcome).toMatchObject({ port: 'found' })
    expect(slept).toContain(1000)
    crm.rateLimit(2, 1)
    const limited = await runNode(
      crmContactFind,
      { by: 'phone', valueFrom: 'p', into: 'c' },
      { facts: { p: '+15550100' }, connectors },
    )
    expect(limited.error?.message).toBe('The CRM is limiting requests; try again later.')
    expect(limited.error?.options.retryable).toBe(true)
    const wrong = await runNode(
      crmContactFind,
      { by: 'phone', valueFrom: 'p', into: 'c' },
      { facts: { p: '+1' }, connectors: adapter('wrong-secret') },
    )
    expect(wrong.error?.message).toBe("The CRM refused Carepath's sign-in (400); check the client id and secret.")
    expect(wrong.error?.message).not.toContain('wrong-secret')
  })
})
