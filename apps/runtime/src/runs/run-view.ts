import { foldEvents } from '@carepath/engine'
import type { AuditService } from '../audit/audit.service.ts'
import type { Principal } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import { allowedClasses, patientStrings, phiGate, scrubMessage } from '../phi/redaction-gate.ts'
import type { RunRow } from './run-store.ts'
import type { RunsService } from './runs.service.ts'

/** A run as listed: no facts, so nothing to redact. */
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

/** The run viewer's data, through the redaction gate for the caller's role. Reads of PHI are audited. */
export function createRunViews(deps: { runs: RunsService; audit: AuditService }) {
  const { runs, audit } = deps

  function get(id: string, principal: Principal) {
    const row = runs.store.runById(id)
    if (!row) throw new AppError('not-found', `No run with id "${id}".`, { path: 'id' })
    const doc = runs.documentFor(row.flow_id, row.hash)
    const state = foldEvents(runs.store.events(id))
    const allowed = allowedClasses(principal, doc)
    if (allowed.some((c) => c !== 'none')) {
      audit.appendAlone({
        action: 'run.read',
        who: principal.username,
        role: principal.role,
        entity: { flow: row.flow_id, hash: row.hash, run: id },
        why: { classes: allowed },
      })
    }
    const schema = doc.facts
    return {
      ...runSummary(row),
      path: state.path,
      ports: state.ports,
      decisions: state.decisions.map((d) => ({
        nodeId: d.nodeId,
        scope: d.scope ?? null,
        port: d.port,
        explanation: phiGate('explanation', d.explanation, schema, allowed),
      })),
      facts: phiGate('facts', state.facts, schema, allowed),
      events: phiGate('events', state.events, schema, allowed),
      openTask: state.openTask
        ? {
            id: state.openTask.taskId,
            runId: id,
            nodeId: state.openTask.nodeId,
            role: state.openTask.request.role,
            title: state.openTask.request.title,
          }
        : null,
      error: state.error
        ? {
            nodeId: state.error.nodeId ?? null,
            message: scrubMessage(state.error.message, patientStrings(state.events)),
          }
        : null,
      waitUntil: state.waitUntil ?? null,
      // Who worked which step (answers themselves are facts: they show through `facts` and `events`).
      tasks: runs.store.tasksOfRun(id).map((t) => ({
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

  function list(flowId: string | undefined, limit: number) {
    return runs.store.listRuns(flowId, limit).map(runSummary)
  }

  return { get, list }
}
export type RunViews = ReturnType<typeof createRunViews>
