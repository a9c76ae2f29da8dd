// Entries of the work flows do once published: runs read, stepped and migrated, the tasks people
// work, incidents and dead letters operators resolve, and what the scheduler and inbound messages
// do on their own (written as the system, not a person).
import type { PhiClass } from '@carepath/dsl'
import type { AuditActor, AuditInput } from './audit-input.ts'
import type { AuditWhy } from './audit-why.ts'
import type { AuditedDecision } from './decision-why.ts'

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

/** A person's inbox was shown: the tasks in it, by id. */
export const tasksRead = (actor: AuditActor, tasks: string[]): AuditInput => ({
  action: 'task.read',
  ...actor,
  why: { tasks },
})

/** A person took a task from its queue. */
export const taskClaimed = (actor: AuditActor, entity: { flow: string; run: string; task: string }): AuditInput => ({
  action: 'task.claim',
  ...actor,
  entity,
})

/** A task answered: its run goes on with the answer. */
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

/** A claimed task put back in its queue for someone else to take. */
export const taskReleased = (actor: AuditActor, entity: TaskEntity): AuditInput => ({
  action: 'task.release',
  ...actor,
  entity,
})

/** A task given to another person who works the same queue. */
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

/** One run moved to the published version (`hash`), in the transaction of its step. */
export const migrationApplied = (
  actor: AuditActor,
  flow: string,
  hash: string,
  run: string,
  why: AuditWhy<'run.migrate'>,
): AuditInput => ({ action: 'run.migrate', ...actor, entity: { flow, hash, run }, why })
