// Launch tokens end to end through the router: an admin registers a host, a host's API token
// (launch:issue) gets a token, the view exchanges it once for the agent's session and the run of
// the launched script; a token for another host, an expired one, a forged one or a replay is
// refused with a plain sentence and audited, and no patient value reaches the audit trail.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { intakeFlow, intakeSuite } from '../testing/test-registry.ts'
import { describeOnEachRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { frameAncestors } from '../http/frame-policy.ts'
import { REFUSALS } from './launch.service.ts'

const CRM = { name: 'CRM desktop', audience: 'crm-desktop', origins: ['https://crm.example.org'] }
const OTHER = { name: 'Contact centre', audience: 'contact-centre', origins: ['https://cc.example.org'] }
const PATIENT_CANARY = 'Canary-Patient-7731'
const facts = { score: 7, patient: { name: PATIENT_CANARY, ssn: '000-11-2222' } }

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof TRPCError)) throw new Error('expected a refusal')
  return `${error.code}: ${error.message}`
}

describeOnEachRuntime('launch tokens', (open) => {
  let t: TestRuntime
  let hostToken: string
  beforeEach(async () => {
    t = await open()
    await publishFlow(t, intakeFlow(), [intakeSuite])
    await t.as.admin.embed.saveHostApp(CRM)
    await t.as.admin.embed.saveHostApp(OTHER)
    hostToken = (await t.as.admin.tokens.create({ username: 'admin', name: 'CRM backend', scopes: ['launch:issue'] }))
      .token
  })
  afterEach(() => t.close())

  const issue = (extra: Record<string, unknown> = {}) =>
    t.caller(hostToken).embed.issueLaunch({
      host: 'crm-desktop',
      username: 'agent',
      patient: 'Patient/p-1',
      flowId: 'intake-check',
      facts,
      ...extra,
    })

  it('exchanges once for the agent’s session and starts the launched script with the caller’s context', async () => {
    const { token, path } = await issue()
    expect(path).toBe('/embed/agent?host=crm-desktop')
    const launched = await t.caller().embed.launch({ token, host: 'crm-desktop' })
    expect(launched.user).toMatchObject({ username: 'agent', role: 'agent' })
    expect(launched.host.origins).toEqual(CRM.origins)
    expect(launched.run?.status).toBe('waiting')
    // The session is the agent's own: the same inbox, the same PHI ceiling as the full UI.
    const inbox = await t.caller(launched.token).tasks.inbox()
    expect(inbox.map((task) => task.runId)).toContain(launched.run?.id)
    expect(JSON.stringify(inbox)).not.toContain('000-11-2222')

    expect(await refusal(t.caller().embed.launch({ token, host: 'crm-desktop' }))).toBe(
      `UNAUTHORIZED: ${REFUSALS.replayed}`,
    )
    // One run per launch, even had the replay gone through.
    expect((await t.as.agent.runs.list({ flowId: 'intake-check' })).length).toBe(1)
  })

  it('refuses a token signed for another host, an expired one and a forged one, and audits each', async () => {
    const { token } = await issue()
    expect(await refusal(t.caller().embed.launch({ token, host: 'contact-centre' }))).toBe(
      `UNAUTHORIZED: ${REFUSALS['other-host']}`,
    )
    const [header, payload] = token.split('.')
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`
    expect(await refusal(t.caller().embed.launch({ token: forged, host: 'crm-desktop' }))).toBe(
      `UNAUTHORIZED: ${REFUSALS['bad-signature']}`,
    )
    expect(await refusal(t.caller().embed.launch({ token, host: 'no-such-host' }))).toBe(
      `UNAUTHORIZED: ${REFUSALS['unknown-host']}`,
    )
    const late = await issue({ ttlSeconds: 30 })
    t.advance(31_000)
    expect(await refusal(t.caller().embed.launch({ token: late.token, host: 'crm-desktop' }))).toBe(
      `UNAUTHORIZED: ${REFUSALS.expired}`,
    )
    // The refused-for-another-host token is still good for its own host: refusals use up nothing.
    expect((await t.caller().embed.launch({ token, host: 'crm-desktop' })).user.username).toBe('agent')

    const trail = (await t.runtime.audit.list({ limit: 1000 })).items.map((item) => item.record)
    const refused = trail.filter((r) => r.action === 'launch.exchange' && r.outcome === 'failure')
    expect(refused.map((r) => (r.action === 'launch.exchange' ? r.why.reason : ''))).toEqual([
      'other-host',
      'bad-signature',
      'unknown-host',
      'expired',
    ])
    expect(trail.filter((r) => r.action === 'launch.issue').length).toBe(2)
    // Canary: the patient and the facts travel in the token only, never into the trail.
    expect(JSON.stringify(trail)).not.toContain(PATIENT_CANARY)
    expect(JSON.stringify(trail)).not.toContain('Patient/p-1')
  })

  it('issues only for a registered host and an agent, only to admins or tokens with launch:issue', async () => {
    expect(await refusal(issue({ host: 'unknown-app' }))).toMatch(/^NOT_FOUND: No registered host application/)
    expect(await refusal(issue({ username: 'reviewer' }))).toMatch(/^BAD_REQUEST: The embedded view is for agents/)
    const runsOnly = (await t.as.admin.tokens.create({ username: 'admin', name: 'other', scopes: ['runs:start'] }))
      .token
    expect(
      await refusal(t.caller(runsOnly).embed.issueLaunch({ host: 'crm-desktop', username: 'agent', patient: 'p' })),
    ).toMatch(/^FORBIDDEN/)
    expect(await refusal(t.as.admin.embed.saveHostApp({ ...CRM, origins: ['https://crm.example.org/path'] }))).toMatch(
      /^BAD_REQUEST: [\s\S]*an origin is a scheme, host and optional port/,
    )
  })

  it('lets only the registered origins frame the view, and nobody frame any other page', async () => {
    const originsOf = (audience: string) => t.runtime.launch.frameOrigins(audience)
    expect(await frameAncestors('/embed/agent', 'crm-desktop', originsOf)).toBe('https://crm.example.org')
    expect(await frameAncestors('/embed/agent', 'unknown', originsOf)).toBe("'none'")
    expect(await frameAncestors('/embed/agent', undefined, originsOf)).toBe("'none'")
    expect(await frameAncestors('/', 'crm-desktop', originsOf)).toBe("'none'")
  })
})
