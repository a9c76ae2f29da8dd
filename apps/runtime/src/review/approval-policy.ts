// The approval policy as an installation stores it, and how it changes: an admin proposes a new
// policy, a different admin approves it before it takes effect (four eyes), either may discard the
// proposal; each step is audited. Until an admin approves one, the shipped default applies.
import { eq } from 'drizzle-orm'
import { FOOTPRINT_KINDS, toJson, type JsonValue } from '@carepath/dsl'
import { approvalPolicyChanged, type AuditActor } from '../audit/audit-entries.ts'
import type { AuditService } from '../audit/audit.service.ts'
import type { Db } from '../db/open-db.ts'
import { settings } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { z } from 'zod'
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

export function createApprovalPolicyService(deps: { db: Db; audit: AuditService; now: () => Date }) {
  const { db, audit, now } = deps
  const read = (key: string) => db.select().from(settings).where(eq(settings.key, key)).get()?.value

  /** The policy in effect (the shipped default until one was approved). */
  function current(): ApprovalPolicy {
    const parsed = approvalPolicySchema.safeParse(read(POLICY_KEY))
    return parsed.success ? parsed.data : DEFAULT_APPROVAL_POLICY
  }

  function proposal(): PolicyProposal | null {
    const parsed = proposalSchema.safeParse(read(PROPOSAL_KEY))
    return parsed.success ? parsed.data : null
  }

  const write = (key: string, value: JsonValue) =>
    db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run()

  /** Propose a policy (replacing an earlier proposal); a malformed one is refused with where and why. */
  function propose(value: unknown, actor: AuditActor) {
    const parsed = approvalPolicySchema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const path = issue?.path.map(String).join('.') ?? ''
      throw new AppError('bad-input', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid policy'}`, { path })
    }
    const next: PolicyProposal = { policy: parsed.data, proposedBy: actor.who, proposedAt: now().toISOString() }
    db.transaction(() => {
      write(PROPOSAL_KEY, asJson(next))
      audit.append(approvalPolicyChanged('propose', actor, { proposedBy: actor.who, summary: summary(next.policy) }))
    })
    return state()
  }

  /** A second admin puts the proposal into effect. The proposer may not (four eyes). */
  function approve(actor: AuditActor) {
    return db.transaction(() => {
      const pending = proposal()
      if (!pending) throw new AppError('conflict', 'No policy change is waiting for approval.')
      if (pending.proposedBy === actor.who)
        throw new AppError('forbidden', 'You proposed this policy; another admin must approve it (four eyes).')
      write(POLICY_KEY, asJson(pending.policy))
      db.delete(settings).where(eq(settings.key, PROPOSAL_KEY)).run()
      audit.append(
        approvalPolicyChanged('approve', actor, { proposedBy: pending.proposedBy, summary: summary(pending.policy) }),
      )
      return state()
    })
  }

  /** Drop the waiting proposal (its proposer withdrawing it, or another admin refusing it). */
  function discard(actor: AuditActor) {
    return db.transaction(() => {
      const pending = proposal()
      if (!pending) throw new AppError('conflict', 'No policy change is waiting for approval.')
      db.delete(settings).where(eq(settings.key, PROPOSAL_KEY)).run()
      audit.append(
        approvalPolicyChanged('discard', actor, { proposedBy: pending.proposedBy, summary: summary(pending.policy) }),
      )
      return state()
    })
  }

  /** The policy in effect, whether it is the default, and the proposal waiting (if any). */
  function state() {
    return { policy: current(), isDefault: read(POLICY_KEY) === undefined, proposal: proposal() }
  }

  return { current, state, propose, approve, discard }
}
export type ApprovalPolicyService = ReturnType<typeof createApprovalPolicyService>
