// A task as a person sees it in their inbox: the step's author-written form, and the facts it
// shows redacted to the person's flow roles.
import type { JsonValue, TaskRequest } from '@carepath/dsl'
import type { TaskRow } from '../runs/run-store.ts'
import { authored, facts, object, structure } from './redaction-policy.ts'

/** What the inbox, claim and answer screens get of a task. */
export interface TaskView {
  id: string
  runId: string
  flowId: string
  nodeId: string
  role: string
  status: TaskRow['status']
  claimedBy: string | null
  createdAt: string
  /** When the step is due (null: no due time), whether that has passed, and whether the run then moves on by itself. */
  dueAt: string | null
  overdue: boolean
  timesOut: boolean
  title: string
  prompt: string | null
  fields: TaskRequest['fields']
  options: NonNullable<TaskRequest['options']>
  shows: string[]
  /** The facts the step shows (nested by fact path). */
  view: Record<string, JsonValue>
}

export const taskViewPolicy = object<TaskView>({
  id: structure,
  runId: structure,
  flowId: structure,
  nodeId: structure,
  role: structure,
  status: structure,
  claimedBy: structure,
  createdAt: structure,
  dueAt: structure,
  overdue: structure,
  timesOut: structure,
  title: authored,
  prompt: authored,
  fields: authored,
  options: authored,
  shows: structure,
  view: facts,
})
