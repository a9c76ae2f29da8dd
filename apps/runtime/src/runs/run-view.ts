import type { PhiClass } from '@carepath/dsl'
import { foldEvents, type RunState } from '@carepath/engine'
import { runRead } from '../audit/audit-entries.ts'
import type { AuditService } from '../audit/audit.service.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import { patientValuesOfRun } from '../phi/free-text.ts'
import { allowedClasses, withClearance, type QueueClearances } from '../phi/redaction-gate.ts'
import { NO_FACTS, redact } from '../phi/redaction-policy.ts'
import { runSummaryPolicy, runViewPolicy } from '../phi/run-view.policy.ts'
import type { RunRow, TaskRow } from './run-store.ts'
import type { RunsService } from './runs.service.ts'

/** A run as listed: no facts (its policy declares every field structure). */
export const runSummary = (row: RunRow) => ({
  id: row.id,
  flowId: row.flow_id,
  hash: row.hash,
  status: row.status,
  outcome: row.outcome,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  startedBy: row.started_by,
})
/** A run as listed. */
export type RunSummaryView = ReturnType<typeof runSummary>

/** Everything the run viewer shows of a run, before redaction (see run-view.policy.ts). */
export function runViewOf(row: RunRow, state: RunState, tasks: readonly TaskRow[]) {
  return {
    ...runSummary(row),
    path: state.path,
    ports: state.ports,
    decisions: state.decisions.map((d) => ({
      nodeId: d.nodeId,
      scope: d.scope ?? null,
      port: d.port,
      explanation: d.explanation,
    })),
    facts: state.facts,
    events: state.events,
    openTask: state.openTask
      ? {
          id: state.openTask.taskId,
          runId: row.id,
          nodeId: state.openTask.nodeId,
          role: state.openTask.request.role,
          title: state.openTask.request.title,
        }
      : null,
    error: state.error ? { nodeId: state.error.nodeId ?? null, message: state.error.message } : null,
    // What holds the run for an operator: the failed step and its cause.
    incident: state.incident
      ? {
          nodeId: state.incident.nodeId,
          openedAt: state.incident.at,
          message: state.incident.message,
          connector: state.incident.connector ?? null,
          errorClass: state.incident.errorClass ?? null,
          attempts: state.incident.attempts ?? null,
        }
      : null,
    waitUntil: state.waitUntil ?? null,
    // Who worked which step (answers themselves are facts: they show through `facts` and `events`).
    tasks: tasks.map((t) => ({
      id: t.id,
      nodeId: t.node_id,
      role: t.role,
      status: t.status,
      claimedBy: t.claimed_by,
      answeredBy: t.answered_by,
      createdAt: t.created_at,
      answeredAt: t.answered_at,
    })),
  }
}
/** The run viewer's data. */
export type RunView = ReturnType<typeof runViewOf>

/** The run viewer's data, redacted by its policy for the caller's role. Reads of PHI are audited. */
export function createRunViews(deps: {
  runs: RunsService
  audit: AuditService
  /** PHI classes a live break-glass reveal adds for this person and run. */
  revealed?: (userId: string, runId: string) => Promise<PhiClass[]>
  /** The work queues' PHI clearances (read for agents only). */
  clearances: () => Promise<QueueClearances>
}) {
  const { runs, audit } = deps

  async function get(id: string, principal: Principal): Promise<RunView> {
    const row = await runs.store.runById(id)
    if (!row) throw new AppError('not-found', `No run with id "${id}".`, { path: 'id' })
    const doc = await runs.documentFor(row.flow_id, row.hash)
    const state = foldEvents(await runs.store.events(id))
    const extra = (await deps.revealed?.(principal.userId, id)) ?? []
    const viewer = await withClearance(principal, deps.clearances)
    const allowed = [...new Set([...allowedClasses(viewer, doc), ...extra])]
    if (allowed.some((c) => c !== 'none')) {
      await audit.record(runRead(auditActor(principal), { flow: row.flow_id, hash: row.hash, run: id }, allowed))
    }
    const ctx = { schema: doc.facts, allowed, patientValues: patientValuesOfRun(state.events) }
    return redact(runViewPolicy, runViewOf(row, state, await runs.store.tasksOfRun(id)), ctx)
  }

  async function list(flowId: string | undefined, limit: number): Promise<RunSummaryView[]> {
    return (await runs.store.listRuns(flowId, limit)).map((row) => redact(runSummaryPolicy, runSummary(row), NO_FACTS))
  }

  return { get, list }
}
export type RunViews = ReturnType<typeof createRunViews>
