import { taskRequestSchema, type FlowDocument, type JsonValue } from '@carepath/dsl'
import { foldEvents, getFact } from '@carepath/engine'
import type { AuditService } from '../audit/audit.service.ts'
import type { Principal } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import { taskAnswered, taskClaimed, tasksRead } from '../audit/audit-entries.ts'
import { redactionContext } from '../phi/redaction-gate.ts'
import { redact } from '../phi/redaction-policy.ts'
import { taskViewPolicy } from '../phi/task-view.policy.ts'
import type { TaskRow } from './run-store.ts'
import type { RunsService } from './runs.service.ts'

/** Does this person work the queue of this flow role? */
export const worksRole = (principal: Principal, role: string) =>
  principal.flowRoles.includes('*') || principal.flowRoles.includes(role)

/**
 * The task inbox. A task shows only the facts its step declares (`shows`), and of those only the
 * classes the person's flow roles may see; showing them is a PHI read and is audited.
 */
export function createTasksService(deps: { runs: RunsService; audit: AuditService; now: () => Date }) {
  const { runs, audit } = deps
  const { store } = runs

  function requireTask(id: string, principal: Principal): TaskRow {
    const task = store.taskById(id)
    // A task of a queue the person does not work is reported as missing: its existence is not theirs to know.
    if (!task || !worksRole(principal, task.role))
      throw new AppError('not-found', `No task with id "${id}" in your queues.`, { path: 'id' })
    return task
  }

  /** What a person sees of a task. */
  function view(task: TaskRow, principal: Principal, doc: FlowDocument, facts: Record<string, JsonValue>) {
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
        title: request.title,
        prompt: request.prompt ?? null,
        fields: request.fields,
        options: request.options ?? [],
        shows: request.shows,
        /** The facts the step shows, redacted to the person's flow roles (nested by fact path). */
        view: shown,
      },
      redactionContext(principal, doc),
    )
  }

  function viewOf(task: TaskRow, principal: Principal) {
    const run = store.runById(task.run_id)
    if (!run) throw new AppError('not-found', `No run with id "${task.run_id}".`)
    const doc = runs.documentFor(run.flow_id, run.hash)
    return view(task, principal, doc, foldEvents(store.events(run.id)).facts)
  }

  function inbox(principal: Principal) {
    const mine = store.openTasks().filter((t) => worksRole(principal, t.role))
    const views = mine.map((t) => viewOf(t, principal))
    if (views.length > 0) {
      audit.appendAlone(
        tasksRead(
          { who: principal.username, role: principal.role },
          views.map((v) => v.id),
        ),
      )
    }
    return views
  }

  function claim(id: string, principal: Principal) {
    const task = requireTask(id, principal)
    if (task.status === 'claimed' && task.claimed_by === principal.username) return viewOf(task, principal)
    return store.transaction(() => {
      if (!store.claimTask(id, principal.username))
        throw new AppError('conflict', 'This task was already claimed or answered.', { path: 'id' })
      audit.append(
        taskClaimed(
          { who: principal.username, role: principal.role },
          { flow: task.flow_id, run: task.run_id, task: id },
        ),
      )
      return viewOf(store.taskById(id) as TaskRow, principal)
    })
  }

  /** Answer a task; the run resumes. A wrong answer is refused and changes nothing. */
  async function answer(id: string, value: JsonValue, principal: Principal) {
    const task = requireTask(id, principal)
    if (task.status === 'answered' || task.status === 'cancelled')
      throw new AppError('conflict', 'This task is already closed.', { path: 'id' })
    if (task.status === 'claimed' && task.claimed_by !== principal.username)
      throw new AppError('conflict', `This task is claimed by ${task.claimed_by}.`, { path: 'id' })
    const state = await runs.resume(
      task.run_id,
      { type: 'answer', taskId: id, answer: value },
      { who: principal.username, role: principal.role },
      () => {
        store.answerTask(id, principal.username, deps.now().toISOString())
        audit.append(
          taskAnswered(
            { who: principal.username, role: principal.role },
            { flow: task.flow_id, run: task.run_id, task: id },
          ),
        )
      },
    )
    return { taskId: id, runId: task.run_id, status: state.status, outcome: state.outcome ?? null }
  }

  return { inbox, claim, answer }
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
