// Approval by footprint through the real routers and database: sign-offs per required kind, by
// the right people only, bound to both hashes; publishing refused until every one is given.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { z } from 'zod'
import { createNodeRegistry, defineConnector, defineNodeType, type FlowDocument } from '@carepath/dsl'
import type { Principal } from '../auth/auth.service.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { intakeFlow, testRegistry } from '../testing/test-registry.ts'

/** Sends the fact it reads to a URL, as http.request does to an SMS gateway. */
const testSend = defineNodeType({
  type: 'test.send',
  typeVersion: 1,
  title: 'Send',
  description: 'Sends a fact outside.',
  category: 'Integration',
  icon: 'S',
  config: z.object({ url: z.string(), bodyFrom: z.string() }).strict(),
  defaults: { url: 'https://example.org', bodyFrom: 'score' },
  ports: () => [{ name: 'sent', required: true }],
  reads: (c) => [c.bodyFrom],
  writes: () => [],
  phi: ['identifier'],
  connectors: [defineConnector({ name: 'gateway', description: 'A test gateway.', settingsSchema: z.unknown() })],
  execute: () => ({ kind: 'next', port: 'sent' }),
})
const registry = createNodeRegistry([...testRegistry.list(), testSend])
const ID = 'intake-check'

/** The intake flow sending the patient's SSN to an outside gateway on the fast track. */
function withGateway(): FlowDocument {
  const doc = intakeFlow()
  doc.nodes['check']!.next = { high: 'ask', low: 'sms' }
  doc.nodes['sms'] = {
    type: 'test.send',
    typeVersion: 1,
    title: 'Text the result',
    config: { url: 'https://sms.example.net/send', bodyFrom: 'patient.ssn' },
    next: { sent: 'fast' },
  }
  return doc
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'OK'
  } catch (error) {
    if (error instanceof TRPCError) return error.code
    throw error
  }
}

describe('approval by footprint', () => {
  let t: TestRuntime
  let v1: string
  beforeEach(async () => {
    t = await createTestRuntime({ registry })
    v1 = await publishFlow(t, intakeFlow())
    // reviewer2 is the flow's security owner (Operations → Owners, the storage alerts use).
    await t.runtime.alerts.configure(
      { owners: { [ID]: { security: [{ user: 'reviewer2' }] } }, defaultOwners: {}, rules: [] },
      { who: 'test', role: 'system' },
    )
  })
  afterEach(() => t.close())

  async function submitGatewayChange() {
    const saved = await t.as.analyst.flows.save({ id: ID, document: withGateway(), baseRevision: 1 })
    await t.as.analyst.review.submit({ id: ID })
    return saved.hash
  }

  it('lists the sign-offs a PHI class sent outside needs, and why, naming the step', async () => {
    await submitGatewayChange()
    const review = await t.as.compliance.review.get({ id: ID })
    expect(review.signOffs.map((s) => s.kind)).toEqual(['reviewer', 'compliance', 'security'])
    const compliance = review.signOffs.find((s) => s.kind === 'compliance')!
    expect(compliance.reasons).toContain('identifier data is newly sent outside by “Text the result”.')
    expect(review.signOffs.find((s) => s.kind === 'security')!.reasons).toContain(
      '“Text the result” newly reaches the outside endpoint sms.example.net.',
    )
    expect(review.footprint?.map((f) => f.kind)).toContain('phi-sent-outside')
    expect(review.owners.find((o) => o.kind === 'security')).toMatchObject({ users: ['reviewer2'], fallback: false })
    expect(review.yourSignOffs).toEqual(['compliance'])
  })

  it('refuses to publish on one reviewer’s approval, and changes nothing', async () => {
    const hash = await submitGatewayChange()
    const approved = await t.as.reviewer.review.approve({ id: ID, hash, comment: 'flow looks right' })
    expect(approved).toMatchObject({ status: 'in-review', signOff: 'reviewer' })
    const refusal = await t.as.reviewer.review.publish({ id: ID, hash }).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(TRPCError)
    expect((refusal as TRPCError).code).toBe('PRECONDITION_FAILED')
    expect((refusal as TRPCError).message).toMatch(/sign-off of compliance: .*“Text the result”/)
    expect((refusal as TRPCError).message).toMatch(/sign-off of the security owner/)
    const flow = await t.as.analyst.flows.get({ id: ID })
    expect(flow.published?.hash).toBe(v1)
    expect(flow.status).toBe('in-review')
  })

  it('refuses the wrong role, a second approval by one person, and the author', async () => {
    const hash = await submitGatewayChange()
    // A reviewer is not compliance; compliance is not the named security owner.
    expect(await codeOf(t.as.reviewer.review.approve({ id: ID, hash, as: 'compliance' }))).toBe('FORBIDDEN')
    expect(await codeOf(t.as.compliance.review.approve({ id: ID, hash, as: 'security' }))).toBe('FORBIDDEN')
    expect(await codeOf(t.as.auditor.review.approve({ id: ID, hash }))).toBe('FORBIDDEN')
    await t.as.reviewer.review.approve({ id: ID, hash })
    expect(await codeOf(t.as.reviewer.review.approve({ id: ID, hash }))).toBe('FORBIDDEN')
    // The author, even holding the compliance role, may not sign off their own change.
    const author: Principal = { userId: 'x', username: 'analyst', role: 'compliance', flowRoles: [] }
    await expect(t.runtime.review.approve(ID, hash, '', author)).rejects.toThrow(/wrote or submitted/)
    const review = await t.as.reviewer.review.get({ id: ID })
    expect(review.approvals.map((a) => [a.by, a.as])).toEqual([['reviewer', 'reviewer']])
    const refused = (await t.runtime.audit.list({ limit: 100 })).items.filter(
      (i) => i.record.action === 'review.approve' && i.record.outcome === 'failure',
    )
    expect(refused.length).toBeGreaterThanOrEqual(3)
  })

  it('publishes once compliance and the security owner have signed off', async () => {
    const hash = await submitGatewayChange()
    await t.as.reviewer.review.approve({ id: ID, hash })
    expect(
      await t.as.compliance.review.approve({ id: ID, hash, comment: 'SSN to the gateway is covered by BAA' }),
    ).toMatchObject({ signOff: 'compliance', status: 'in-review' })
    expect(await t.as.reviewer2.review.approve({ id: ID, hash, comment: 'TLS endpoint' })).toMatchObject({
      signOff: 'security',
      status: 'approved',
    })
    const review = await t.as.reviewer.review.get({ id: ID })
    expect(review.signOffs.every((s) => s.done)).toBe(true)
    expect(review.signOffs.find((s) => s.kind === 'security')!.signedBy.map((s) => s.by)).toEqual(['reviewer2'])
    await t.as.reviewer.review.publish({ id: ID, hash })
    expect((await t.as.analyst.flows.get({ id: ID })).published?.hash).toBe(hash)
    const approvals = (await t.runtime.audit.list({ limit: 200 })).items
      .filter((i) => i.record.action === 'review.approve' && i.record.outcome !== 'failure')
      .map((i) => i.record.why)
    expect(approvals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ signOff: 'security' }),
        expect.objectContaining({ signOff: 'compliance' }),
      ]),
    )
  })

  it('voids sign-offs when a new revision is saved, even one that changes only text', async () => {
    const hash = await submitGatewayChange()
    const before = await t.as.reviewer.review.get({ id: ID })
    await t.as.reviewer.review.approve({ id: ID, hash, documentHash: before.documentHash })
    const retitled = withGateway()
    retitled.nodes['sms']!.title = 'Text the result to the patient'
    const saved = await t.as.analyst.flows.save({ id: ID, document: retitled, baseRevision: 2 })
    expect(saved.hash).toBe(hash)
    // The old approval is gone; approving what the reviewer saw is refused as stale.
    expect(await codeOf(t.as.compliance.review.approve({ id: ID, hash, documentHash: before.documentHash }))).toBe(
      'CONFLICT',
    )
    const after = await t.as.reviewer.review.get({ id: ID })
    expect(after.documentHash).not.toBe(before.documentHash)
    expect(after.signOffs).toEqual([])
    expect(await codeOf(t.as.reviewer.review.publish({ id: ID, hash }))).toBe('PRECONDITION_FAILED')
  })

  it('sends a text-only change through the lighter policy, and never publishes unreviewed text', async () => {
    const retitled = intakeFlow()
    retitled.title = 'Intake check (new wording)'
    retitled.nodes['check']!.title = 'Score at least five?'
    const saved = await t.as.analyst.flows.save({ id: ID, document: retitled, baseRevision: 1 })
    expect(saved.hash).toBe(v1)
    // Unreviewed: the flow is a draft again and the published document keeps its reviewed text.
    let flow = await t.as.analyst.flows.get({ id: ID })
    expect(flow.status).toBe('draft')
    expect(flow.published?.document.title).toBe('Intake check')
    await t.as.analyst.review.submit({ id: ID })
    const review = await t.as.reviewer.review.get({ id: ID })
    expect(review.footprint?.map((f) => f.kind)).toEqual(['text'])
    expect(review.signOffs.map((s) => [s.kind, s.count])).toEqual([['reviewer', 1]])
    await t.as.reviewer.review.approve({ id: ID, hash: v1 })
    await t.as.reviewer2.review.publish({ id: ID, hash: v1 })
    flow = await t.as.analyst.flows.get({ id: ID })
    expect(flow.status).toBe('published')
    expect(flow.published?.document.title).toBe('Intake check (new wording)')
    expect(flow.published?.document.nodes['check']?.title).toBe('Score at least five?')
  })
})
