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

export const loggedIn = (actor: AuditActor): AuditInput => ({ action: 'auth.login', ...actor })

/** A refused log-in: `failures` counts the failed attempts in a row, when known. */
export const loginRefused = (actor: AuditActor, reason: string, failures?: number): AuditInput => ({
  action: 'auth.login',
  outcome: 'failure',
  ...actor,
  why: failures === undefined ? { reason } : { reason, failures },
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
): AuditInput =>
  kind === 'approve'
    ? { action: 'review.approve', ...actor, entity, why: { comment } }
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

/** Publishing refused, with what stands in the way. */
export const publishRefused = (
  action: 'review.publish' | 'review.rollback',
  actor: AuditActor,
  entity: { flow: string; hash: string },
  blockers: string[],
): AuditInput => ({ action, outcome: 'failure', ...actor, entity, why: { blockers } })

/** Integration settings changed: only which connectors are set, never their values (secrets). */
export const integrationsSet = (actor: AuditActor, keys: string[]): AuditInput => ({
  action: 'settings.integrations',
  ...actor,
  why: { keys: [...keys].sort() },
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
