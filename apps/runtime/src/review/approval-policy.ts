// The approval policy as an installation stores it, and how it changes: an admin proposes a new
// policy, a different admin approves it before it takes effect (four eyes), either may discard the
// proposal; each step is audited. Until an admin approves one, the shipped default applies.
import { eq } from 'drizzle-orm'
import { FOOTPRINT_KINDS, toJson, type JsonValue } from '@carepath/dsl'
import { approvalPolicyChanged, type AuditActor } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { settings } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import { z } from 'zod'
import { writeSetting } from './stored-setting.ts'
import { approvalPolicySchema, DEFAULT_APPROVAL_POLICY, type ApprovalPolicy } from './approval-policy.schema.ts'

const POLICY_KEY = 'governance.approval-policy'
const PROPOSAL_KEY = 'governance.approval-policy.proposal'

const proposalSchema = z
  .object({ policy: approvalPolicySchema, proposedBy: z.string(), proposedAt: z.string() })
  .strict()
/** A policy waiting for a second admin. */
export type PolicyProposal = z.infer<typeof proposalSchema>

/** One line per footprint kind, for the audit record: "threshold: reviewer". */
function summary(policy: ApprovalPolicy): string[] {
  return FOOTPRINT_KINDS.map(
    (kind) => `${kind}: ${(policy.requirements[kind] ?? ['reviewer']).join(', ') || 'reviewer'}`,
  )
}

/** Settings are stored as JSON; the policy's zod output is plain data, copied through the one JSON rule set. */
const asJson = (value: unknown): JsonValue => toJson(value)

/** The key changes to the policy are serialised on: an approval sees the proposal last committed. */
const POLICY_LOCK = 'carepath:approval-policy'

export function createApprovalPolicyService(deps: { store: Store; audit: AuditRecorder; now: () => Date }) {
  const { store, audit, now } = deps
  const db = store.db
  const read = async (key: string) => (await db.select().from(settings).where(eq(settings.key, key)).get())?.value

  /** The policy in effect (the shipped default until one was approved). */
  async function current(): Promise<ApprovalPolicy> {
    const parsed = approvalPolicySchema.safeParse(await read(POLICY_KEY))
    return parsed.success ? parsed.data : DEFAULT_APPROVAL_POLICY
  }

  async function proposal(): Promise<PolicyProposal | null> {
    const parsed = proposalSchema.safeParse(await read(PROPOSAL_KEY))
    return parsed.success ? parsed.data : null
  }

  const write = (key: string, value: JsonValue) => writeSetting(store, key, value)

  /** Propose a policy (replacing an earlier proposal); a malformed one is refused with where and why. */
  async function propose(value: unknown, actor: AuditActor) {
    const parsed = approvalPolicySchema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const path = issue?.path.map(String).join('.') ?? ''
      throw new AppError('bad-input', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid policy'}`, { path })
    }
    const next: PolicyProposal = { policy: parsed.data, proposedBy: actor.who, proposedAt: now().toISOString() }
    await store.transaction(async () => {
      await store.sql.serialize(POLICY_LOCK)
      await write(PROPOSAL_KEY, asJson(next))
      await audit.record(
        approvalPolicyChanged('propose', actor, { proposedBy: actor.who, summary: summary(next.policy) }),
      )
    })
    return await state()
  }

  /** A second admin puts the proposal into effect. The proposer may not (four eyes). */
  function approve(actor: AuditActor) {
    return store.transaction(async () => {
      await store.sql.serialize(POLICY_LOCK)
      const pending = await proposal()
      if (!pending) throw new AppError('conflict', 'No policy change is waiting for approval.')
      if (pending.proposedBy === actor.who)
        throw new AppError('forbidden', 'You proposed this policy; another admin must approve it (four eyes).')
      await write(POLICY_KEY, asJson(pending.policy))
      await db.delete(settings).where(eq(settings.key, PROPOSAL_KEY))
      await audit.record(
        approvalPolicyChanged('approve', actor, { proposedBy: pending.proposedBy, summary: summary(pending.policy) }),
      )
      return await state()
    })
  }

  /** Drop the waiting proposal (its proposer withdrawing it, or another admin refusing it). */
  function discard(actor: AuditActor) {
    return store.transaction(async () => {
      await store.sql.serialize(POLICY_LOCK)
      const pending = await proposal()
      if (!pending) throw new AppError('conflict', 'No policy change is waiting for approval.')
      await db.delete(settings).where(eq(settings.key, PROPOSAL_KEY))
      await audit.record(
        approvalPolicyChanged('discard', actor, { proposedBy: pending.proposedBy, summary: summary(pending.policy) }),
      )
      return await state()
    })
  }

  /** The policy in effect, whether it is the default, and the proposal waiting (if any). */
  async function state() {
    return { policy: await current(), isDefault: (await read(POLICY_KEY)) === undefined, proposal: await proposal() }
  }

  return { current, state, propose, approve, discard }
}
export type ApprovalPolicyService = ReturnType<typeof createApprovalPolicyService>
