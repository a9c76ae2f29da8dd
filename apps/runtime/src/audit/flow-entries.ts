// Entries of a flow's life: authoring, review and publishing (with the approval policy that
// decides who must sign off), plans that move waiting runs to a new version, evidence attached to
// reviews and tasks, and the change notices people subscribe to.
import type { AuditRecord } from './audit-record.ts'
import type { AuditActor, AuditInput } from './audit-input.ts'
import type { AuditWhy } from './audit-why.ts'

type Entity = AuditRecord['entity']

/** A flow created, with the hash of its first version. */
export const flowCreated = (actor: AuditActor, flow: string, hash: string): AuditInput => ({
  action: 'flow.create',
  ...actor,
  entity: { flow, hash },
})

/** A flow's draft saved as a new revision; `voidedReview` when the save voided its open or approved review. */
export const flowSaved = (
  actor: AuditActor,
  entity: { flow: string; hash: string },
  why: AuditWhy<'flow.save'>,
): AuditInput => ({ action: 'flow.save', ...actor, entity, why })

/** A flow retired. */
export const flowRetired = (actor: AuditActor, entity: Entity): AuditInput => ({
  action: 'flow.retire',
  ...actor,
  entity,
})

/** A version submitted for review, with its simulation summary and the sign-offs it needs. */
export const reviewSubmitted = (
  actor: AuditActor,
  entity: { flow: string; hash: string },
  why: AuditWhy<'review.submit'>,
): AuditInput => ({ action: 'review.submit', ...actor, entity, why })

/** A reviewer approved or rejected a version, with their comment. */
export const reviewDecided = (
  kind: 'approve' | 'reject',
  actor: AuditActor,
  entity: { flow: string; hash: string },
  comment: string,
  signOff?: string,
): AuditInput =>
  kind === 'approve'
    ? { action: 'review.approve', ...actor, entity, why: signOff ? { comment, signOff } : { comment } }
    : { action: 'review.reject', ...actor, entity, why: { comment } }

/** A review decision refused before anything changed. */
export const reviewRefused = (
  kind: 'approve' | 'reject',
  actor: AuditActor,
  entity: { flow: string; hash: string },
  reason: string,
): AuditInput =>
  kind === 'approve'
    ? { action: 'review.approve', outcome: 'failure', ...actor, entity, why: { reason } }
    : { action: 'review.reject', outcome: 'failure', ...actor, entity, why: { reason } }

/** A version published (or rolled back to); `previous` is the hash it replaced. */
export const versionPublished = (
  action: 'review.publish' | 'review.rollback',
  actor: AuditActor,
  entity: { flow: string; hash: string },
  why: { reason: string; previous: string | null },
): AuditInput => ({ action, ...actor, entity, why })

/** A reviewer wrote why this version may be published although test cases fail their expectations. */
export const failingCasesOverridden = (
  actor: AuditActor,
  entity: { flow: string; hash: string },
  why: AuditWhy<'review.override'>,
): AuditInput => ({ action: 'review.override', ...actor, entity, why })

/** Publishing refused, with what stands in the way. */
export const publishRefused = (
  action: 'review.publish' | 'review.rollback',
  actor: AuditActor,
  entity: { flow: string; hash: string },
  blockers: string[],
): AuditInput => ({ action, outcome: 'failure', ...actor, entity, why: { blockers } })

/** A migration plan proposed or approved. */
export const migrationDecided = (
  action: 'migration.plan' | 'migration.approve',
  actor: AuditActor,
  flow: string,
  hash: string,
  why: AuditWhy<'migration.plan'>,
): AuditInput => ({ action, ...actor, entity: { flow, hash }, why })

/** The approval policy was proposed, approved (now in effect) or discarded. */
export const approvalPolicyChanged = (
  step: 'propose' | 'approve' | 'discard',
  actor: AuditActor,
  why: AuditWhy<'approval-policy.propose'>,
): AuditInput =>
  step === 'propose'
    ? { action: 'approval-policy.propose', ...actor, why }
    : step === 'approve'
      ? { action: 'approval-policy.approve', ...actor, why }
      : { action: 'approval-policy.discard', ...actor, why }

/** Evidence attached to a review or a task (by id and hash; never the name or content). */
export const attachmentAdded = (actor: AuditActor, entity: Entity, why: AuditWhy<'attachment.add'>): AuditInput => ({
  action: 'attachment.add',
  ...actor,
  entity,
  why,
})

/** Evidence downloaded by someone allowed to see it. */
export const attachmentRead = (actor: AuditActor, entity: Entity, why: AuditWhy<'attachment.read'>): AuditInput => ({
  action: 'attachment.read',
  ...actor,
  entity,
  why,
})

/** A change notice sent: to whom, and which deliveries failed. */
export const noticeSent = (actor: AuditActor, entity: Entity, why: AuditWhy<'notice.send'>): AuditInput => ({
  action: 'notice.send',
  ...actor,
  entity,
  why,
})

/** Someone asked to be told, or no longer, of a flow's changes. */
export const flowSubscribed = (actor: AuditActor, flow: string, on: boolean): AuditInput => ({
  action: on ? 'flow.subscribe' : 'flow.unsubscribe',
  ...actor,
  entity: { flow },
})
