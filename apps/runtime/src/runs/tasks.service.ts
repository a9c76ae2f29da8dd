import { classesCleared, phiClassAt, taskRequestSchema, type FlowDocument, type JsonValue } from '@carepath/dsl'
import { foldEvents, getFact } from '@carepath/engine'
import type { AuditService } from '../audit/audit.service.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import {
  taskAnswered,
  taskClaimed,
  taskEscalated,
  taskReassigned,
  taskReleased,
  tasksRead,
} from '../audit/audit-entries.ts'
import { redactionContext, withClearance, type QueueClearances, type Viewer } from '../phi/redaction-gate.ts'
import { redact } from '../phi/redaction-policy.ts'
import { taskViewPolicy } from '../phi/task-view.policy.ts'
import type { Store } from '../store/store.ts'
import type { TaskRow } from './run-store.ts'
import type { RunsService } from './runs.service.ts'

/** Does this person work the queue of this flow role? */
export const worksRole = (principal: Principal, role: string) =>
  principal.flowRoles.includes('*') || principal.flowRoles.includes(role)

/**
 * The task inbox. A task shows only the facts its step declares (`shows`), and of those only the
 * classes the person's flow roles may see (each capped by its queue's clearance); showing them is
 * a PHI read and is audited.
 */
export function createTasksService(deps: {
  store: Store
  runs: RunsService
  audit: AuditService
  now: () => Date
  /** The flow roles (queues) a person works, or undefined when there is no such active user. */
  flowRolesOf: (username: string) => Promise<string[] | undefined>
  /** The work queues' PHI clearances (read once per request, for agents only). */
  clearances: () => Promise<QueueClearances>
  /** Told of each claim in its transaction (the time-to-claim metric). */
  onClaimed?: (task: TaskRow, at: string) => Promise<void> | void
}) {
  const { runs, audit } = deps
  const { store } = runs
  const inTransaction = deps.store.transaction.bind(deps.store)

  async function requireTask(id: string, principal: Principal): Promise<TaskRow> {
    const task = await store.taskById(id)
    // A task of a queue the person does not work is reported as missing: its existence is not theirs to know.
    if (!task || !worksRole(principal, task.role))
      throw new AppError('not-found', `No task with id "${id}" in your queues.`, { path: 'id' })
    return task
  }

  /** Who is looking, with the queues' clearances when that counts (an agent). */
  const viewerOf = (principal: Principal) => withClearance(principal, deps.clearances)

  /** What a person sees of a task. */
  function view(task: TaskRow, viewer: Viewer, doc: FlowDocument, facts: Record<string, JsonValue>) {
    // Stored by the runs service from a parsed task.opened event; checked again as it is read back.
    const request = taskRequestSchema.parse(JSON.parse(task.request))
    const shown: Record<string, JsonValue> = {}
    for (const path of request.shows) {
      const value = getFact(facts, path)
      if (value !== undefined) setPath(shown, path, value)
    }
    return redact(
      taskViewPolicy,
      {
        id: task.id,
        runId: task.run_id,
        flowId: task.flow_id,
        nodeId: task.node_id,
        role: task.role,
        status: task.status,
        claimedBy: task.claimed_by,
        createdAt: task.created_at,
        dueAt: task.due_at,
        overdue: task.due_at !== null && task.due_at <= deps.now().toISOString(),
        timesOut: request.due?.timeout ?? false,
        title: request.title,
        prompt: request.prompt ?? null,
        fields: request.fields,
        options: request.options ?? [],
        shows: request.shows,
        /** The facts the step shows, redacted to the person's flow roles (nested by fact path). */
        view: shown,
      },
      redactionContext(viewer, doc),
    )
  }

  async function viewOf(task: TaskRow, viewer: Viewer) {
    const run = await store.runById(task.run_id)
    if (!run) throw new AppError('not-found', `No run with id "${task.run_id}".`)
    const doc = await runs.documentFor(run.flow_id, run.hash)
    return view(task, viewer, doc, foldEvents(await store.events(run.id)).facts)
  }

  /** A task read back after a change made to it (it exists: the change found it). */
  async function viewAfter(id: string, principal: Principal) {
    return viewOf((await store.taskById(id)) as TaskRow, await viewerOf(principal))
  }

  async function inbox(principal: Principal) {
    const mine = (await store.openTasks()).filter((t) => worksRole(principal, t.role))
    const viewer = mine.length > 0 ? await viewerOf(principal) : principal
    const views: Awaited<ReturnType<typeof viewOf>>[] = []
    for (const task of mine) views.push(await viewOf(task, viewer))
    if (views.length > 0) {
      await audit.record(
        tasksRead(
          auditActor(principal),
          views.map((v) => v.id),
        ),
      )
    }
    return views
  }

  async function claim(id: string, principal: Principal) {
    const task = await requireTask(id, principal)
    if (task.status === 'claimed' && task.claimed_by === principal.username)
      return viewOf(task, await viewerOf(principal))
    await inTransaction(async () => {
      if (!(await store.claimTask(id, principal.username)))
        throw new AppError('conflict', 'This task was already claimed or answered.', { path: 'id' })
      await deps.onClaimed?.(task, deps.now().toISOString())
      await audit.record(taskClaimed(auditActor(principal), { flow: task.flow_id, run: task.run_id, task: id }))
    })
    return viewAfter(id, principal)
  }

  /** Answer a task; the run resumes. A wrong answer is refused and changes nothing. */
  async function answer(id: string, value: JsonValue, principal: Principal) {
    const task = await requireTask(id, principal)
    if (task.status === 'answered' || task.status === 'cancelled' || task.status === 'expired')
      throw new AppError('conflict', 'This task is already closed.', { path: 'id' })
    if (task.status === 'claimed' && task.claimed_by !== principal.username)
      throw new AppError('conflict', `This task is claimed by ${task.claimed_by}.`, { path: 'id' })
    const state = await runs.resume(
      task.run_id,
      { type: 'answer', taskId: id, answer: value },
      auditActor(principal),
      async () => {
        await store.answerTask(id, principal.username, deps.now().toISOString())
        await audit.record(taskAnswered(auditActor(principal), { flow: task.flow_id, run: task.run_id, task: id }))
      },
    )
    return { taskId: id, runId: task.run_id, status: state.status, outcome: state.outcome ?? null }
  }

  const entityOf = (task: TaskRow) => ({ flow: task.flow_id, run: task.run_id, task: task.id })

  /** Give a claimed task back to its queue (only the person who claimed it). */
  async function release(id: string, principal: Principal) {
    const task = await requireTask(id, principal)
    await inTransaction(async () => {
      if (!(await store.releaseTask(id, principal.username)))
        throw new AppError('conflict', 'Only a task you have claimed can be released.', { path: 'id' })
      await audit.record(taskReleased(auditActor(principal), entityOf(task)))
    })
    return viewAfter(id, principal)
  }

  /** Give an open or claimed task to another person who works the same queue. */
  async function reassign(id: string, to: string, principal: Principal) {
    const task = await requireTask(id, principal)
    const roles = await deps.flowRolesOf(to)
    if (!roles || !(roles.includes('*') || roles.includes(task.role)))
      throw new AppError('bad-input', `${to} does not work the ${task.role} queue.`, { path: 'to' })
    if (task.status === 'claimed' && task.claimed_by !== principal.username)
      throw new AppError('conflict', `This task is claimed by ${task.claimed_by}.`, { path: 'id' })
    await inTransaction(async () => {
      if (!(await store.assignTask(id, to)))
        throw new AppError('conflict', 'This task is already closed.', { path: 'id' })
      await audit.record(taskReassigned(auditActor(principal), entityOf(task), to))
    })
    return viewAfter(id, principal)
  }

  /**
   * Move a task to another queue of its flow: a role that may see every fact the step shows
   * (the same PHI rule validation applies to the step itself), open for anyone there to claim.
   */
  async function escalate(id: string, toRole: string, reason: string, principal: Principal) {
    const task = await requireTask(id, principal)
    const run = await store.runById(task.run_id)
    if (!run) throw new AppError('not-found', `No run with id "${task.run_id}".`)
    const doc = await runs.documentFor(run.flow_id, run.hash)
    const role = Object.hasOwn(doc.roles, toRole) ? doc.roles[toRole] : undefined
    if (!role || toRole === task.role) {
      const others = Object.keys(doc.roles).filter((name) => name !== task.role)
      throw new AppError('bad-input', `Escalate to another role of this flow (${others.join(', ') || 'none'}).`, {
        path: 'to',
      })
    }
    const request = taskRequestSchema.parse(JSON.parse(task.request))
    // What the target queue's people would see: the role's classes, capped by the queue's clearance.
    const seen = classesCleared(role.phi, (await deps.clearances()).get(toRole))
    const hidden = request.shows.find((path) => {
      const phi = phiClassAt(doc.facts, path)
      return phi === undefined || (phi !== 'none' && !seen.includes(phi))
    })
    if (hidden !== undefined) {
      const phi = phiClassAt(doc.facts, hidden)
      const why = phi !== undefined && role.phi.includes(phi) ? `queue is not cleared to see` : `role may not see`
      throw new AppError('bad-input', `The ${toRole} ${why} "${hidden}", which this task shows.`, { path: 'to' })
    }
    return inTransaction(async () => {
      if (!(await store.moveTask(id, toRole)))
        throw new AppError('conflict', 'This task is already closed.', { path: 'id' })
      await audit.record(taskEscalated(auditActor(principal), entityOf(task), { from: task.role, to: toRole, reason }))
      return { id, role: toRole, status: 'open' as const }
    })
  }

  /** Open tasks past their due time, by queue: what the operations alerts count (no patient data). */
  async function overdue() {
    return (await store.overdueTasks(deps.now().toISOString())).map((task) => ({
      id: task.id,
      flowId: task.flow_id,
      runId: task.run_id,
      nodeId: task.node_id,
      role: task.role,
      dueAt: task.due_at as string,
      claimedBy: task.claimed_by,
    }))
  }

  return { inbox, claim, answer, release, reassign, escalate, overdue }
}
export type TasksService = ReturnType<typeof createTasksService>

function setPath(target: Record<string, JsonValue>, path: string, value: JsonValue) {
  const parts = path.split('.')
  let node = target
  for (const part of parts.slice(0, -1)) {
    const next = node[part]
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {}
    node = node[part] as Record<string, JsonValue>
  }
  node[parts[parts.length - 1] as string] = value
}
