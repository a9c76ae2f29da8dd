// The audit trail as the auditor reads it. Records are made without patient values (decisions
// keep references, failures are redacted free text), and their policy says so field by field:
// one policy per action, so a new action does not compile until its `why` is declared here.
import type { AuditRecord, AuditRecordBase } from '../audit/audit-record.ts'
import { simulationSummaryPolicy } from './simulation-report.policy.ts'
import type { AuditService } from '../audit/audit.service.ts'
import type { AuditAction, AuditEntry } from '../audit/audit-why.ts'
import type { AuditedDecision } from '../audit/decision-why.ts'
import {
  authored,
  each,
  freeText,
  object,
  structure,
  type RedactionContext,
  type Redactor,
} from './redaction-policy.ts'

type EntryOf<A extends AuditAction> = Extract<AuditEntry, { action: A }>
type Why<A extends AuditAction> = NonNullable<EntryOf<A>['why']>

/** One policy per audited action (its name and its `why`); none may be left out. */
export type AuditEntryPolicies = { [A in AuditAction]: Redactor<EntryOf<A>> }

const decision = object<AuditedDecision>({
  node: structure,
  port: structure,
  explanation: object({
    outcome: structure,
    fired: structure,
    rules: each(
      object({
        id: structure,
        fired: structure,
        conditions: each(
          object({
            path: structure,
            fact: structure,
            operator: structure,
            // A threshold written in the flow, or a reference (`hmac:…`) to another fact's value.
            expected: authored,
            // Always a reference.
            seen: structure,
            result: structure,
          }),
        ),
      }),
    ),
  }),
})

const token = object<Why<'token.create'>>({
  tokenId: structure,
  name: authored,
  scopes: structure,
  expiresAt: structure,
})

/** A review decision: a reviewer's comment on the version, or why it was refused. */
const reviewDecision: Redactor<Why<'review.approve'>> = (why, ctx) =>
  'comment' in why
    ? object<{ comment: string; signOff?: string }>({ comment: authored, signOff: structure })(why, ctx)
    : { reason: structure(why.reason) }

/** Publishing: the reason and the hash it replaced, or the blockers (plain sentences the service writes). */
const publish: Redactor<Why<'review.publish'>> = (why) =>
  'blockers' in why ? { blockers: [...why.blockers] } : { reason: why.reason, previous: why.previous }

const approvalPolicy = object<Why<'approval-policy.propose'>>({ proposedBy: structure, summary: structure })

const attachmentWhy = object<Why<'attachment.add'>>({
  attachment: structure,
  kind: structure,
  sha256: structure,
  size: structure,
  mediaType: structure,
})

const runStep = object<Why<'run.step'>>({
  events: structure,
  decisions: each(decision),
  status: structure,
  outcome: structure,
  // Redacted when the record was made; declared free text all the same.
  error: freeText,
})

export const auditEntryPolicies: AuditEntryPolicies = {
  'user.add': object<EntryOf<'user.add'>>({ action: structure, why: object({ role: structure }) }),
  'user.flow-roles': object<EntryOf<'user.flow-roles'>>({ action: structure, why: object({ flowRoles: structure }) }),
  'user.set': object<EntryOf<'user.set'>>({ action: structure, why: object({ role: structure, active: structure }) }),
  'auth.login': object<EntryOf<'auth.login'>>({
    action: structure,
    why: object({ reason: structure, failures: structure }),
  }),
  'auth.logout': object<EntryOf<'auth.logout'>>({ action: structure, why: structure }),
  'auth.password': object<EntryOf<'auth.password'>>({ action: structure, why: object({ next: structure }) }),
  'auth.mfa': object<EntryOf<'auth.mfa'>>({
    action: structure,
    why: object({ method: structure, reason: structure, failures: structure }),
  }),
  'auth.mfa-enrol': object<EntryOf<'auth.mfa-enrol'>>({
    action: structure,
    why: object({ method: structure, factor: structure, reason: structure }),
  }),
  'auth.mfa-remove': object<EntryOf<'auth.mfa-remove'>>({
    action: structure,
    why: object({ method: structure, factor: structure, reason: structure }),
  }),
  'auth.recovery-codes': object<EntryOf<'auth.recovery-codes'>>({
    action: structure,
    why: object({ count: structure }),
  }),
  'auth.sso': object<EntryOf<'auth.sso'>>({
    action: structure,
    why: object({ issuer: structure, groups: structure, role: structure, created: structure, idpMfa: structure }),
  }),
  'phi.reveal': object<EntryOf<'phi.reveal'>>({
    action: structure,
    // The person's reason, redacted of the run's patient values when it was recorded.
    why: object({ reveal: structure, classes: structure, minutes: structure, reason: freeText }),
  }),
  'phi.reveal-review': object<EntryOf<'phi.reveal-review'>>({
    action: structure,
    why: object({ reveal: structure, note: authored }),
  }),
  'retention.purge': object<EntryOf<'retention.purge'>>({
    action: structure,
    why: object({ flow: structure, day: structure, runs: structure }),
  }),
  'settings.retention': object<EntryOf<'settings.retention'>>({
    action: structure,
    why: object({ flow: structure, days: structure }),
  }),
  'retention.inbound-purge': object<EntryOf<'retention.inbound-purge'>>({
    action: structure,
    why: object({ day: structure, messages: structure }),
  }),
  'settings.inbound-retention': object<EntryOf<'settings.inbound-retention'>>({
    action: structure,
    why: object({ days: structure }),
  }),
  'keys.rotate': object<EntryOf<'keys.rotate'>>({
    action: structure,
    why: object({ kek: structure, dataKeys: structure, secrets: structure }),
  }),
  'settings.mfa-policy': object<EntryOf<'settings.mfa-policy'>>({
    action: structure,
    why: object({ required: structure, passwordOnly: structure }),
  }),
  'token.create': object<EntryOf<'token.create'>>({ action: structure, why: token }),
  'token.revoke': object<EntryOf<'token.revoke'>>({ action: structure, why: token }),
  'flow.create': object<EntryOf<'flow.create'>>({ action: structure, why: structure }),
  'flow.save': object<EntryOf<'flow.save'>>({
    action: structure,
    why: object({ revision: structure, voidedReview: structure }),
  }),
  'flow.retire': object<EntryOf<'flow.retire'>>({ action: structure, why: structure }),
  'review.submit': object<EntryOf<'review.submit'>>({
    action: structure,
    why: object({
      review: structure,
      summary: simulationSummaryPolicy,
      footprint: structure,
      signOffs: structure,
    }),
  }),
  // Usernames and the policy's kinds and sign-offs: no patient data.
  'approval-policy.propose': object<EntryOf<'approval-policy.propose'>>({ action: structure, why: approvalPolicy }),
  'approval-policy.approve': object<EntryOf<'approval-policy.approve'>>({ action: structure, why: approvalPolicy }),
  'approval-policy.discard': object<EntryOf<'approval-policy.discard'>>({ action: structure, why: approvalPolicy }),
  'review.approve': object<EntryOf<'review.approve'>>({ action: structure, why: reviewDecision }),
  'review.reject': object<EntryOf<'review.reject'>>({ action: structure, why: reviewDecision }),
  'review.publish': object<EntryOf<'review.publish'>>({ action: structure, why: publish }),
  'review.rollback': object<EntryOf<'review.rollback'>>({ action: structure, why: publish }),
  // The reviewer's reason is about the version, like a review comment; the cases are ids.
  'review.override': object<EntryOf<'review.override'>>({
    action: structure,
    why: object({ reason: authored, cases: structure }),
  }),
  'settings.operations': object<EntryOf<'settings.operations'>>({
    action: structure,
    why: object({ flows: structure, rules: structure }),
  }),
  'settings.integrations': object<EntryOf<'settings.integrations'>>({
    action: structure,
    why: object({ keys: structure }),
  }),
  'phi-map.review': object<EntryOf<'phi-map.review'>>({ action: structure, why: object({ flows: structure }) }),
  // Settings paths and kinds of change (never a value); the reason and notes are an admin's words about the settings.
  'settings.propose': object<EntryOf<'settings.propose'>>({
    action: structure,
    why: object({
      proposal: structure,
      changes: each(object({ path: structure, change: structure, credential: structure })),
      applyToRunning: structure,
      reason: authored,
    }),
  }),
  'settings.approve': object<EntryOf<'settings.approve'>>({
    action: structure,
    why: object({ proposal: structure, note: authored }),
  }),
  'settings.reject': object<EntryOf<'settings.reject'>>({
    action: structure,
    why: object({ proposal: structure, note: authored }),
  }),
  'settings.apply': object<EntryOf<'settings.apply'>>({
    action: structure,
    why: object({ proposal: structure, revision: structure, pinsMoved: structure }),
  }),
  // A queue's name, an admin's description of the work and the PHI class names it is cleared for: no patient data.
  'queue.save': object<EntryOf<'queue.save'>>({
    action: structure,
    why: object({ queue: structure, description: authored, phi: structure }),
  }),
  'run.read': object<EntryOf<'run.read'>>({ action: structure, why: object({ classes: structure }) }),
  'run.start': object<EntryOf<'run.start'>>({ action: structure, why: runStep }),
  'run.step': object<EntryOf<'run.step'>>({ action: structure, why: runStep }),
  'task.read': object<EntryOf<'task.read'>>({ action: structure, why: object({ tasks: structure }) }),
  'task.claim': object<EntryOf<'task.claim'>>({ action: structure, why: structure }),
  'task.answer': object<EntryOf<'task.answer'>>({ action: structure, why: structure }),
  'incident.resolve': object<EntryOf<'incident.resolve'>>({
    action: structure,
    why: object({ incident: structure, action: structure, port: structure, reason: freeText }),
  }),
  // Filter names, a keyed hash in place of the patient's identifier, a count.
  'audit.search': object<EntryOf<'audit.search'>>({
    action: structure,
    why: object({ filters: structure, patient: structure, results: structure, exported: structure }),
  }),
  'dead-letter.reprocess': object<EntryOf<'dead-letter.reprocess'>>({
    action: structure,
    why: object({
      deadLetter: structure,
      controlId: structure,
      outcome: structure,
      runIds: structure,
      reason: structure,
    }),
  }),
  'task.release': object<EntryOf<'task.release'>>({ action: structure, why: structure }),
  'task.reassign': object<EntryOf<'task.reassign'>>({ action: structure, why: object({ to: structure }) }),
  // The reason is typed by the person escalating: free text, which may quote a patient.
  'task.escalate': object<EntryOf<'task.escalate'>>({
    action: structure,
    why: object({ from: structure, to: structure, reason: freeText }),
  }),
  'migration.plan': object<EntryOf<'migration.plan'>>({
    action: structure,
    why: object({ migration: structure, fromHash: structure, runs: structure, changed: structure }),
  }),
  'migration.approve': object<EntryOf<'migration.approve'>>({
    action: structure,
    why: object({ migration: structure, fromHash: structure, runs: structure, changed: structure }),
  }),
  'run.migrate': object<EntryOf<'run.migrate'>>({
    action: structure,
    why: object({ migration: structure, fromHash: structure, fromNode: structure, toNode: structure }),
  }),
  'event.deliver': object<EntryOf<'event.deliver'>>({
    action: structure,
    why: object({ name: structure, messageId: structure }),
  }),
  'schedule.tick': object<EntryOf<'schedule.tick'>>({
    action: structure,
    why: object({ status: structure, reason: structure, from: structure, to: structure, count: structure }),
  }),
  // Attachments by id, hash, size and type: the name and content stay out of the trail.
  'attachment.add': object<EntryOf<'attachment.add'>>({ action: structure, why: attachmentWhy }),
  'attachment.read': object<EntryOf<'attachment.read'>>({ action: structure, why: attachmentWhy }),
  // Recipients are staff (user names, mail addresses, webhook hosts) the owners' settings name.
  'notice.send': object<EntryOf<'notice.send'>>({
    action: structure,
    why: object({ notice: structure, kind: structure, recipients: structure, failed: structure }),
  }),
  'flow.subscribe': object<EntryOf<'flow.subscribe'>>({ action: structure, why: structure }),
  'flow.unsubscribe': object<EntryOf<'flow.unsubscribe'>>({ action: structure, why: structure }),
  // Host applications: names and addresses an admin typed, no patient data.
  'host-app.save': object<EntryOf<'host-app.save'>>({
    action: structure,
    why: object({ hostApp: structure, name: authored, audience: authored, origins: structure }),
  }),
  // Launches name the host and the nonce only: the patient and context stay in the token.
  'launch.issue': object<EntryOf<'launch.issue'>>({
    action: structure,
    why: object({ hostApp: structure, nonce: structure, expiresAt: structure }),
  }),
  'launch.exchange': object<EntryOf<'launch.exchange'>>({
    action: structure,
    why: object({ host: authored, nonce: structure, reason: structure }),
  }),
}

const base = object<AuditRecordBase>({
  resourceType: structure,
  recorded: structure,
  outcome: structure,
  agent: object({ who: structure, role: structure }),
  entity: object({ flow: structure, hash: structure, run: structure, task: structure, user: structure }),
})

function redactEntry<A extends AuditAction>(record: EntryOf<A>, ctx: RedactionContext): EntryOf<A> {
  const policy: Redactor<EntryOf<A>> = auditEntryPolicies[record.action]
  return policy(record, ctx)
}

/** One record: what every record has, then its action's own `why`. */
export const auditRecord: Redactor<AuditRecord> = (record, ctx) => ({
  ...base(record, ctx),
  ...redactEntry(record, ctx),
})

/** What `audit.list` answers. */
export type AuditList = Awaited<ReturnType<AuditService['list']>>

export const auditListPolicy = object<AuditList>({
  items: each(object({ seq: structure, hash: structure, record: auditRecord })),
  nextCursor: structure,
})
