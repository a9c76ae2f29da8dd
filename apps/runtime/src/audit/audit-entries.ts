// One function per audited action: each builds the record's input with its typed `why`, so a
// caller names what happened and the shape of the record is decided here, once.
import type { PhiClass } from '@carepath/dsl'
import type { AuditRecord } from './audit-record.ts'
import type { AuditEntry, AuditWhy } from './audit-why.ts'
import type { AuditedDecision } from './decision-why.ts'

/** Who did it, as the record names them. */
export interface AuditActor {
  who: string
  role: string
}

/** What `AuditService.append` takes: an action with its typed `why`, who did it and to what. */
export type AuditInput = AuditEntry &
  AuditActor & {
    outcome?: 'success' | 'failure'
    entity?: AuditRecord['entity']
  }

type Entity = AuditRecord['entity']

export const userAdded = (actor: AuditActor, user: string, role: string): AuditInput => ({
  action: 'user.add',
  ...actor,
  entity: { user },
  why: { role },
})

export const flowRolesSet = (actor: AuditActor, user: string, flowRoles: string[]): AuditInput => ({
  action: 'user.flow-roles',
  ...actor,
  entity: { user },
  why: { flowRoles },
})

/** A person's product role and log-in switched by an admin (`active` false: no log-in, no token). */
export const userSet = (actor: AuditActor, user: string, role: string, active: boolean): AuditInput => ({
  action: 'user.set',
  ...actor,
  entity: { user },
  why: { role, active },
})

export const loggedIn = (actor: AuditActor): AuditInput => ({ action: 'auth.login', ...actor })

/** A refused log-in: `failures` counts the failed attempts in a row, when known. */
export const loginRefused = (actor: AuditActor, reason: string, failures?: number): AuditInput => ({
  action: 'auth.login',
  outcome: 'failure',
  ...actor,
  why: failures === undefined ? { reason } : { reason, failures },
})

/** The password was accepted; the log-in goes on to a second factor or its enrolment. */
export const passwordAccepted = (actor: AuditActor, next: 'verify' | 'enrol'): AuditInput => ({
  action: 'auth.password',
  ...actor,
  why: { next },
})

/** A second factor shown at log-in: accepted, or refused with why (never the code typed). */
export const mfaChecked = (
  actor: AuditActor,
  why: AuditWhy<'auth.mfa'>,
  outcome: 'success' | 'failure' = 'success',
): AuditInput => ({ action: 'auth.mfa', outcome, ...actor, entity: { user: actor.who }, why })

/** A factor enrolled (confirmed), or an enrolment refused. */
export const mfaEnrolled = (
  actor: AuditActor,
  user: string,
  why: AuditWhy<'auth.mfa-enrol'>,
  outcome: 'success' | 'failure' = 'success',
): AuditInput => ({ action: 'auth.mfa-enrol', outcome, ...actor, entity: { user }, why })

export const mfaRemoved = (actor: AuditActor, user: string, why: AuditWhy<'auth.mfa-remove'>): AuditInput => ({
  action: 'auth.mfa-remove',
  ...actor,
  entity: { user },
  why,
})

/** A new set of recovery codes was made (the old ones stop working). */
export const recoveryCodesIssued = (actor: AuditActor, user: string, count: number): AuditInput => ({
  action: 'auth.recovery-codes',
  ...actor,
  entity: { user },
  why: { count },
})

/** A person logged in through the identity provider; their role and queues were set from its groups. */
export const ssoSynced = (actor: AuditActor, why: AuditWhy<'auth.sso'>): AuditInput => ({
  action: 'auth.sso',
  ...actor,
  entity: { user: actor.who },
  why,
})

/** Break-glass: a reveal granted (time-boxed, for one run). */
export const revealGranted = (
  actor: AuditActor,
  entity: { flow: string; hash: string; run: string },
  why: AuditWhy<'phi.reveal'>,
): AuditInput => ({ action: 'phi.reveal', ...actor, entity, why })

/** Compliance signed a reveal off. */
export const revealReviewed = (actor: AuditActor, run: string, why: AuditWhy<'phi.reveal-review'>): AuditInput => ({
  action: 'phi.reveal-review',
  ...actor,
  entity: { run },
  why,
})

/** A flow's day of runs passed its retention period: their data key was shredded. */
export const retentionPurged = (actor: AuditActor, why: AuditWhy<'retention.purge'>): AuditInput => ({
  action: 'retention.purge',
  ...actor,
  entity: { flow: why.flow },
  why,
})

export const retentionSet = (actor: AuditActor, why: AuditWhy<'settings.retention'>): AuditInput => ({
  action: 'settings.retention',
  ...actor,
  entity: { flow: why.flow },
  why,
})

/** A day of inbound HL7 messages passed the installation's period: deleted, their data key shredded. */
export const inboundRetentionPurged = (actor: AuditActor, why: AuditWhy<'retention.inbound-purge'>): AuditInput => ({
  action: 'retention.inbound-purge',
  ...actor,
  why,
})

export const inboundRetentionSet = (actor: AuditActor, why: AuditWhy<'settings.inbound-retention'>): AuditInput => ({
  action: 'settings.inbound-retention',
  ...actor,
  why,
})

export const keysRotated = (actor: AuditActor, why: AuditWhy<'keys.rotate'>): AuditInput => ({
  action: 'keys.rotate',
  ...actor,
  why,
})

export const mfaPolicySet = (actor: AuditActor, why: AuditWhy<'settings.mfa-policy'>): AuditInput => ({
  action: 'settings.mfa-policy',
  ...actor,
  why,
})

export const loggedOut = (actor: AuditActor): AuditInput => ({ action: 'auth.logout', ...actor })

export const tokenCreated = (actor: AuditActor, user: string, why: AuditWhy<'token.create'>): AuditInput => ({
  action: 'token.create',
  ...actor,
  entity: { user },
  why,
})

export const tokenRevoked = (actor: AuditActor, user: string, why: AuditWhy<'token.revoke'>): AuditInput => ({
  action: 'token.revoke',
  ...actor,
  entity: { user },
  why,
})

export const flowCreated = (actor: AuditActor, flow: string, hash: string): AuditInput => ({
  action: 'flow.create',
  ...actor,
  entity: { flow, hash },
})

export const flowSaved = (
  actor: AuditActor,
  entity: { flow: string; hash: string },
  why: AuditWhy<'flow.save'>,
): AuditInput => ({ action: 'flow.save', ...actor, entity, why })

export const flowRetired = (actor: AuditActor, entity: Entity): AuditInput => ({
  action: 'flow.retire',
  ...actor,
  entity,
})

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

/** An admin named a work queue or changed its description or PHI clearance. */
export const queueSaved = (actor: AuditActor, why: AuditWhy<'queue.save'>): AuditInput => ({
  action: 'queue.save',
  ...actor,
  why,
})

/** Publishing refused, with what stands in the way. */
export const publishRefused = (
  action: 'review.publish' | 'review.rollback',
  actor: AuditActor,
  entity: { flow: string; hash: string },
  blockers: string[],
): AuditInput => ({ action, outcome: 'failure', ...actor, entity, why: { blockers } })

/** Owners and alert rules changed: the flows that name owners and the rule ids (no addresses). */
export const operationsSet = (actor: AuditActor, flows: string[], rules: string[]): AuditInput => ({
  action: 'settings.operations',
  ...actor,
  why: { flows: [...flows].sort(), rules: [...rules].sort() },
})

/** Integration settings changed: only which connectors are set, never their values (secrets). */
export const integrationsSet = (actor: AuditActor, keys: string[]): AuditInput => ({
  action: 'settings.integrations',
  ...actor,
  why: { keys: [...keys].sort() },
})

/** The installation's PHI touchpoint map was reviewed (the flows it covered, by id). */
export const phiMapReviewed = (actor: AuditActor, flows: string[]): AuditInput => ({
  action: 'phi-map.review',
  ...actor,
  why: { flows: [...flows].sort() },
})

/** A settings change proposed for review (four eyes). */
export const settingsProposed = (actor: AuditActor, why: AuditWhy<'settings.propose'>): AuditInput => ({
  action: 'settings.propose',
  ...actor,
  why,
})

/** A proposed settings change approved or rejected by a second person. */
export const settingsDecided = (
  actor: AuditActor,
  action: 'settings.approve' | 'settings.reject',
  why: AuditWhy<'settings.approve'>,
): AuditInput => ({ action, ...actor, why })

/** Reviewed settings applied as a new revision. */
export const settingsApplied = (actor: AuditActor, why: AuditWhy<'settings.apply'>): AuditInput => ({
  action: 'settings.apply',
  ...actor,
  why,
})

/** An auditor's search of the trail; the patient only as its keyed hash. */
export const auditSearched = (actor: AuditActor, why: AuditWhy<'audit.search'>): AuditInput => ({
  action: 'audit.search',
  ...actor,
  why,
})

/** A run's patient data was shown, with the PHI classes the viewer could see. */
export const runRead = (
  actor: AuditActor,
  entity: { flow: string; hash: string; run: string },
  classes: PhiClass[],
): AuditInput => ({ action: 'run.read', ...actor, entity, why: { classes } })

/** A batch of a run's events was written: the decisions with references, never values. */
export const runStepped = (
  first: boolean,
  actor: AuditActor,
  entity: { flow: string; hash: string; run: string },
  why: { events: number; decisions: AuditedDecision[]; status: string; outcome?: string; error?: string },
): AuditInput => ({ action: first ? 'run.start' : 'run.step', ...actor, entity, why })

export const tasksRead = (actor: AuditActor, tasks: string[]): AuditInput => ({
  action: 'task.read',
  ...actor,
  why: { tasks },
})

export const taskClaimed = (actor: AuditActor, entity: { flow: string; run: string; task: string }): AuditInput => ({
  action: 'task.claim',
  ...actor,
  entity,
})

export const taskAnswered = (actor: AuditActor, entity: { flow: string; run: string; task: string }): AuditInput => ({
  action: 'task.answer',
  ...actor,
  entity,
})

/** An operator retried, skipped or cancelled a run's incident (written with the run's events). */
export const incidentResolved = (
  actor: AuditActor,
  entity: { flow: string; hash: string; run: string },
  why: AuditWhy<'incident.resolve'>,
): AuditInput => ({ action: 'incident.resolve', ...actor, entity, why })

/** An operator reprocessed a dead letter; `failure` when no flow took it this time either. */
export const deadLetterReprocessed = (actor: AuditActor, why: AuditWhy<'dead-letter.reprocess'>): AuditInput => ({
  action: 'dead-letter.reprocess',
  outcome: why.outcome === 'refused' ? 'failure' : 'success',
  ...actor,
  why,
})

/** Scheduled times that started no run: skipped (missed, overlapping, failed to start) or queued. */
export const scheduleTicked = (flow: string, hash: string, why: AuditWhy<'schedule.tick'>): AuditInput => ({
  action: 'schedule.tick',
  who: 'scheduler',
  role: 'system',
  entity: { flow, hash },
  why,
})

type TaskEntity = { flow: string; run: string; task: string }

export const taskReleased = (actor: AuditActor, entity: TaskEntity): AuditInput => ({
  action: 'task.release',
  ...actor,
  entity,
})

export const taskReassigned = (actor: AuditActor, entity: TaskEntity, to: string): AuditInput => ({
  action: 'task.reassign',
  ...actor,
  entity,
  why: { to },
})

/** A task moved to another queue; `reason` is the person's own words (no patient data is asked for). */
export const taskEscalated = (actor: AuditActor, entity: TaskEntity, why: AuditWhy<'task.escalate'>): AuditInput => ({
  action: 'task.escalate',
  ...actor,
  entity,
  why,
})

/** A message was given to a waiting run (in the transaction of the run's step). */
export const eventDelivered = (name: string, messageId: string, run: string): AuditInput => ({
  action: 'event.deliver',
  who: 'carepath',
  role: 'system',
  entity: { run },
  why: { name, messageId },
})

/** A migration plan proposed or approved. */
export const migrationDecided = (
  action: 'migration.plan' | 'migration.approve',
  actor: AuditActor,
  flow: string,
  hash: string,
  why: AuditWhy<'migration.plan'>,
): AuditInput => ({ action, ...actor, entity: { flow, hash }, why })

/** One run moved to the published version (`hash`), in the transaction of its step. */
export const migrationApplied = (
  actor: AuditActor,
  flow: string,
  hash: string,
  run: string,
  why: AuditWhy<'run.migrate'>,
): AuditInput => ({ action: 'run.migrate', ...actor, entity: { flow, hash, run }, why })

export const hostAppSaved = (actor: AuditActor, why: AuditWhy<'host-app.save'>): AuditInput => ({
  action: 'host-app.save',
  ...actor,
  why,
})

export const launchIssued = (actor: AuditActor, agent: string, why: AuditWhy<'launch.issue'>): AuditInput => ({
  action: 'launch.issue',
  ...actor,
  entity: { user: agent },
  why,
})

/** A launch exchanged (`success`) or refused (`failure`, with the reason in plain words). */
export const launchExchanged = (
  actor: AuditActor,
  why: AuditWhy<'launch.exchange'>,
  outcome: 'success' | 'failure' = 'success',
): AuditInput => ({ action: 'launch.exchange', ...actor, outcome, why })

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
