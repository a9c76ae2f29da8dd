// What an operator does with incidents: list and count them by filter, retry a failed step on the
// run's pinned version, retry many at once (the count confirmed first, a result per run), skip to
// a chosen port with a reason, or cancel. Each resolution is the engine's incident.resolved,
// written with the operator's audit record in the transaction that records it.
import type { Principal } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import { patientValuesOfRun, redactFreeText } from '../phi/free-text.ts'
import type { RunsService } from '../runs/runs.service.ts'
import type { IncidentFilter, IncidentRow, IncidentStore } from './incident-store.ts'

/** The most runs one bulk action takes: more is refused with the count, so the filter is narrowed. */
export const BULK_LIMIT = 500

/** One incident as an operator sees it: the cause, never patient data. */
export const incidentView = (row: IncidentRow) => ({
  id: row.id,
  runId: row.run_id,
  flowId: row.flow_id,
  hash: row.hash,
  nodeId: row.node_id,
  connector: row.connector,
  errorClass: row.error_class,
  attempts: row.attempts,
  message: row.message,
  openedAt: row.opened_at,
  status: row.status,
  resolution: row.resolution,
  port: row.port,
  reason: row.reason,
  resolvedBy: row.resolved_by,
  resolvedAt: row.resolved_at,
})
export type IncidentView = ReturnType<typeof incidentView>

/** What one run of a bulk action came to. */
export interface BulkItemResult {
  runId: string
  ok: boolean
  /** The run's status afterwards (ok), or why it was not retried. */
  status?: string
  error?: string
}

export function createIncidentsService(deps: { runs: RunsService; store: IncidentStore }) {
  const { runs, store } = deps
  /**
   * Who resolves, and why in their words: kept in the audit trail and the incident, so first
   * scrubbed of any patient value of the run it quotes (the trail holds references, never values).
   */
  const actorOf = async (principal: Principal, runId?: string, reason?: string) => ({
    who: principal.username,
    role: principal.role,
    ...(reason && runId ? { reason: redactFreeText(reason, patientValuesOfRun(await runs.store.events(runId))) } : {}),
  })

  async function requireOpen(runId: string): Promise<IncidentRow> {
    const open = await store.openOf(runId)
    if (!open) throw new AppError('conflict', `The run "${runId}" has no open incident.`, { path: 'runId' })
    return open
  }

  /** Retry the failed step on the run's pinned version; refused while its flow is retired. */
  async function retry(runId: string, principal: Principal) {
    const open = await requireOpen(runId)
    const flow = await runs.store.flowForRun(open.flow_id)
    if (flow?.status === 'retired')
      throw new AppError(
        'conflict',
        `The flow "${open.flow_id}" is retired, so its runs are not retried; skip the step or cancel the run.`,
        { path: 'runId' },
      )
    const state = await runs.resume(runId, { type: 'incident', action: 'retry' }, await actorOf(principal))
    return { runId, status: state.status, outcome: state.outcome ?? null }
  }

  async function skip(runId: string, port: string, reason: string, principal: Principal) {
    await requireOpen(runId)
    const state = await runs.resume(
      runId,
      { type: 'incident', action: 'skip', port },
      await actorOf(principal, runId, reason),
    )
    return { runId, status: state.status, outcome: state.outcome ?? null }
  }

  async function cancel(runId: string, reason: string, principal: Principal) {
    await requireOpen(runId)
    const state = await runs.resume(
      runId,
      { type: 'incident', action: 'cancel' },
      await actorOf(principal, runId, reason),
    )
    return { runId, status: state.status, outcome: state.outcome ?? null }
  }

  /**
   * Retry every open incident the filter matches, one run after another. `expectedCount` is the
   * count the operator confirmed; when the set has changed since, nothing is done and the new
   * count is given. Each run's retry commits on its own, so a stop half-way leaves every run
   * retried once or not at all, and running the same action again retries only what is still open.
   */
  async function bulkRetry(filter: IncidentFilter, expectedCount: number, principal: Principal) {
    const open = { ...filter, status: 'open' as const }
    const count = await store.count(open)
    if (count > BULK_LIMIT)
      throw new AppError(
        'bad-input',
        `${count} incidents match; one bulk action takes at most ${BULK_LIMIT}. Narrow the filter (by flow, step, connector or time) and try again.`,
        { path: 'filter' },
      )
    if (count !== expectedCount)
      throw new AppError(
        'conflict',
        `${count} incidents match now, not ${expectedCount}: look at the list again before confirming.`,
        { path: 'expectedCount' },
      )
    const results: BulkItemResult[] = []
    for (const row of await store.list(open, BULK_LIMIT)) {
      try {
        const done = await retry(row.run_id, principal)
        results.push({ runId: row.run_id, ok: true, status: done.status })
      } catch (error) {
        const message = error instanceof AppError ? error.message : 'The retry could not be made.'
        results.push({ runId: row.run_id, ok: false, error: message })
      }
    }
    return { count, retried: results.filter((r) => r.ok).length, results }
  }

  return {
    list: async (filter: IncidentFilter, limit = 200) => (await store.list(filter, limit)).map(incidentView),
    count: (filter: IncidentFilter) => store.count(filter),
    retry,
    skip,
    cancel,
    bulkRetry,
  }
}
export type IncidentsService = ReturnType<typeof createIncidentsService>
