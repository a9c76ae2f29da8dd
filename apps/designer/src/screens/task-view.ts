// Reading an inbox task whatever its envelope: the request (title, prompt, fields, answer
// options) and the facts it may show, as the server redacted them.
import type { JsonValue, TaskRequest } from '@carepath/dsl'
import type { OpenTask } from '../api/api-types.ts'

export interface TaskView {
  id: string
  runId: string
  flowId: string
  nodeId: string
  title: string
  prompt: string | null
  role: string
  fields: TaskRequest['fields']
  options: NonNullable<TaskRequest['options']>
  /** Label/value pairs the step shows; nothing else of the run is visible here. */
  shown: { path: string; value: JsonValue }[]
  claimedBy: string | null
  createdAt: string | null
}

function flatten(value: JsonValue, prefix: string, out: { path: string; value: JsonValue }[]): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else out.push({ path: prefix, value })
}

export function readTask(task: OpenTask): TaskView {
  const request: Partial<TaskRequest> = task.request ?? task.task ?? {}
  const shown: { path: string; value: JsonValue }[] = []
  // The facts this step may show, nested as in the run (the server calls them `view`).
  const facts = task.view ?? (task as unknown as { facts?: Record<string, JsonValue> }).facts
  const raw = task.shows ?? facts
  if (Array.isArray(raw) && raw.every((r) => typeof r === 'string')) {
    // The step's declared paths, in its order; a value the server withheld shows as hidden.
    const flat: { path: string; value: JsonValue }[] = []
    if (facts) flatten(facts, '', flat)
    for (const path of raw as string[]) shown.push({ path, value: flat.find((f) => f.path === path)?.value ?? null })
  } else if (Array.isArray(raw)) shown.push(...raw.map((r) => ({ path: r.label ?? r.path, value: r.value })))
  else if (raw && typeof raw === 'object') {
    const record = raw as Record<string, JsonValue>
    // Either keyed by dotted path already, or a nested facts object.
    if (Object.keys(record).some((k) => k.includes('.')))
      for (const [path, value] of Object.entries(record)) shown.push({ path, value })
    else flatten(record, '', shown)
  }
  return {
    id: task.id,
    runId: task.runId,
    flowId: task.flowId ?? '',
    nodeId: task.nodeId ?? '',
    title: task.title ?? request.title ?? 'Task',
    prompt: task.prompt ?? request.prompt ?? null,
    role: task.role ?? request.role ?? '',
    fields: task.fields ?? request.fields ?? [],
    options: task.options ?? request.options ?? [],
    shown,
    claimedBy: task.claimedBy ?? null,
    createdAt: task.createdAt ?? null,
  }
}
