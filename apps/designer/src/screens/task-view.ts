// Reading an inbox task: the request (title, prompt, fields, answer options) and the facts it may
// show, as the server redacted them.
import type { JsonValue, TaskField, TaskRequest } from '@carepath/dsl'
import type { InboxTask } from '../api/carepath-api.ts'

export interface TaskView {
  id: string
  runId: string
  flowId: string
  nodeId: string
  title: string
  prompt: string | null
  role: string
  fields: TaskField[]
  options: NonNullable<TaskRequest['options']>
  /** Label/value pairs the step shows; nothing else of the run is visible here. */
  shown: { path: string; value: JsonValue }[]
  claimedBy: string | null
  createdAt: string | null
  /** When the step is due (null: no due time), whether it is past, and whether the run then moves on without an answer. */
  dueAt: string | null
  overdue: boolean
  timesOut: boolean
}

function flatten(value: JsonValue, prefix: string, out: { path: string; value: JsonValue }[]): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else out.push({ path: prefix, value })
}

export function readTask(task: InboxTask): TaskView {
  // The step's declared paths, in its order, valued from the facts it may show (`view`, nested as
  // in the run); a value the server withheld shows as hidden.
  const flat: { path: string; value: JsonValue }[] = []
  flatten(task.view, '', flat)
  const shown = task.shows.map((path) => ({ path, value: flat.find((f) => f.path === path)?.value ?? null }))
  return {
    id: task.id,
    runId: task.runId,
    flowId: task.flowId,
    nodeId: task.nodeId,
    title: task.title,
    prompt: task.prompt,
    role: task.role,
    fields: task.fields,
    options: task.options,
    shown,
    claimedBy: task.claimedBy,
    createdAt: task.createdAt,
    dueAt: task.dueAt,
    overdue: task.overdue,
    timesOut: task.timesOut,
  }
}

/** How the inbox says when a task is due: "due 09:30", "overdue since 09:30", with what happens then. */
export function dueLabel(
  task: Pick<TaskView, 'dueAt' | 'overdue' | 'timesOut'>,
  format: (at: string) => string,
): string | null {
  if (!task.dueAt) return null
  const when = format(task.dueAt)
  if (task.overdue) return `overdue since ${when}`
  return task.timesOut ? `due ${when}, then it moves on without you` : `due ${when}`
}
