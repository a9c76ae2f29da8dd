import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import type { FootprintItem } from '@carepath/dsl'
import {
  DEFAULT_APPROVAL_POLICY,
  missingSignOffs,
  requiredSignOffs,
  type ApprovalPolicy,
} from './approval-policy.schema.ts'
import {
  describeOnEachRuntime,
  passwordOnly,
  sessionToken,
  TEST_PASSWORD,
  type TestRuntime,
} from '../testing/test-runtime.ts'

const item = (kind: FootprintItem['kind'], reason: string): FootprintItem => ({ kind, reason, nodes: [] })

describe('requiredSignOffs', () => {
  it('asks compliance and security for a PHI class sent outside, a reviewer for a threshold', () => {
    const needed = requiredSignOffs(DEFAULT_APPROVAL_POLICY, [
      item('phi-sent-outside', 'clinical data is newly sent outside by “Text the result”.'),
      item('threshold', 'The decision “Critical?” compares against new values: 6 → 5.5.'),
    ])
    expect(needed).toEqual([
      { kind: 'reviewer', count: 1, reasons: ['The decision “Critical?” compares against new values: 6 → 5.5.'] },
      { kind: 'compliance', count: 1, reasons: ['clinical data is newly sent outside by “Text the result”.'] },
      { kind: 'security', count: 1, reasons: ['clinical data is newly sent outside by “Text the result”.'] },
    ])
  })

  it('asks one reviewer for text only, and for a kind the policy leaves empty (four eyes always hold)', () => {
    expect(requiredSignOffs(DEFAULT_APPROVAL_POLICY, [item('text', 'Text changed.')])).toEqual([
      { kind: 'reviewer', count: 1, reasons: ['Text changed.'] },
    ])
    const lax: ApprovalPolicy = { requirements: { threshold: [] }, firstVersion: 'by-footprint' }
    expect(requiredSignOffs(lax, [item('threshold', 'x')]).map((s) => s.kind)).toEqual(['reviewer'])
  })

  it('counts a sign-off listed twice as two people, and takes the most demanding item', () => {
    const policy: ApprovalPolicy = {
      requirements: { threshold: ['reviewer', 'reviewer'], text: ['reviewer'] },
      firstVersion: 'by-footprint',
    }
    const needed = requiredSignOffs(policy, [item('text', 'a'), item('threshold', 'b')])
    expect(needed).toEqual([{ kind: 'reviewer', count: 2, reasons: ['a', 'b'] }])
    expect(missingSignOffs(needed, [{ as: 'reviewer' }])).toEqual([{ kind: 'reviewer', count: 1, reasons: ['a', 'b'] }])
    expect(missingSignOffs(needed, [{ as: 'reviewer' }, { as: 'reviewer' }])).toEqual([])
  })

  it('reviews a first version whole by one reviewer unless the policy says by footprint', () => {
    const footprint = [item('phi-sent-outside', 'sent')]
    expect(requiredSignOffs(DEFAULT_APPROVAL_POLICY, footprint, true).map((s) => s.kind)).toEqual(['reviewer'])
    const strict: ApprovalPolicy = { ...DEFAULT_APPROVAL_POLICY, firstVersion: 'by-footprint' }
    expect(requiredSignOffs(strict, footprint, true).map((s) => s.kind)).toEqual(['compliance', 'security'])
  })
})

describeOnEachRuntime('changing the approval policy (four eyes)', (open) => {
  let t: TestRuntime
  let secondAdmin: ReturnType<TestRuntime['caller']>
  beforeAll(async () => {
    t = await open()
    await t.runtime.auth.addUser(
      { username: 'admin2', password: TEST_PASSWORD, role: 'admin', flowRoles: [] },
      { who: 'test', role: 'system' },
    )
    await passwordOnly(t.runtime, ['admin2'])
    secondAdmin = t.caller(sessionToken(await t.runtime.auth.login('admin2', TEST_PASSWORD)))
  })
  afterAll(() => t.close())

  const stricter = { requirements: { ...DEFAULT_APPROVAL_POLICY.requirements, threshold: ['reviewer', 'process'] } }

  it('refuses a malformed policy with where and why, and stores nothing', async () => {
    const error = await t.as.admin.governance
      .proposePolicy({ policy: { requirements: { threshold: ['nobody'] } } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TRPCError)
    expect((error as TRPCError).code).toBe('BAD_REQUEST')
    expect((error as TRPCError).message).toMatch(/^requirements\.threshold\.0/)
    expect((await t.as.admin.governance.policy()).proposal).toBeNull()
  })

  it('takes effect only when a second admin approves it; both steps are audited', async () => {
    const proposed = await t.as.admin.governance.proposePolicy({ policy: stricter })
    expect(proposed.proposal?.proposedBy).toBe('admin')
    expect(proposed.isDefault).toBe(true)
    expect(await t.runtime.approvalPolicy.current()).toEqual(DEFAULT_APPROVAL_POLICY)
    // The proposer may not approve their own policy.
    const own = await t.as.admin.governance.approvePolicy({}).catch((e: unknown) => e)
    expect((own as TRPCError).code).toBe('FORBIDDEN')
    const approved = await secondAdmin.governance.approvePolicy({})
    expect(approved.proposal).toBeNull()
    expect(approved.policy.requirements.threshold).toEqual(['reviewer', 'process'])
    expect((await t.runtime.approvalPolicy.current()).requirements.threshold).toEqual(['reviewer', 'process'])
    const trail = (await t.runtime.audit.list({ limit: 50 })).items
      .filter((i) => i.record.action.startsWith('approval-policy.'))
      .map((i) => [i.record.action, i.record.agent.who])
    expect(trail).toEqual(
      expect.arrayContaining([
        ['approval-policy.propose', 'admin'],
        ['approval-policy.approve', 'admin2'],
      ]),
    )
  })

  it('lets a waiting proposal be discarded, and says when there is none to approve', async () => {
    await t.as.admin.governance.proposePolicy({ policy: { requirements: {} } })
    expect((await secondAdmin.governance.discardPolicy({})).proposal).toBeNull()
    const none = await secondAdmin.governance.approvePolicy({}).catch((e: unknown) => e)
    expect((none as TRPCError).code).toBe('CONFLICT')
    expect((await t.runtime.approvalPolicy.current()).requirements.threshold).toEqual(['reviewer', 'process'])
  })
})
