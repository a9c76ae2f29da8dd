// Incident rows: opened and resolved from a run's events, in the transaction that writes them
// (a BatchObserver), so an incident and the events that opened it are never apart.
import { z } from 'zod'
import type { AuditService } from '../audit/audit.service.ts'
import { incidentResolved } from '../audit/audit-entries.ts'
import { patientValuesOfRun, redactFreeText } from '../phi/free-text.ts'
import type { BatchObserver } from '../runs/runs.service.ts'
import type { Store } from '../store/store.ts'

export interface IncidentRow {
  id: string
  run_id: string
  flow_id: string
  hash: string
  node_id: string
  connector: string | null
  error_class: string | null
  attempts: number | null
  message: string
  opened_at: string
  status: 'open' | 'resolved'
  resolution: 'retry' | 'skip' | 'cancel' | null
  port: string | null
  reason: string | null
  resolved_by: string | null
  resolved_at: string | null
}

/** Which incidents an operator means: every field narrows; none means all open ones. */
export const incidentFilterSchema = z
  .object({
    status: z.enum(['open', 'resolved']).default('open'),
    flowId: z.string().max(100).optional(),
    nodeId: z.string().max(100).optional(),
    connector: z.string().max(100).optional(),
    errorClass: z.string().max(40).optional(),
    /** Opened at or before this time (ISO-8601): "older than N minutes" is now − N. */
    openedBefore: z.iso.datetime().optional(),
    openedAfter: z.iso.datetime().optional(),
  })
  .strict()
export type IncidentFilter = z.input<typeof incidentFilterSchema>

const COLUMNS: Record<string, string> = {
  flowId: 'flow_id',
  nodeId: 'node_id',
  connector: 'connector',
  errorClass: 'error_class',
}

/** `WHERE …` and its parameters for a filter (only fixed column names reach the SQL text). */
function where(filter: IncidentFilter): { sql: string; params: string[] } {
  const parsed = incidentFilterSchema.parse(filter)
  const clauses = ['status = ?']
  const params: string[] = [parsed.status]
  for (const [field, column] of Object.entries(COLUMNS)) {
    const value = parsed[field as keyof typeof parsed]
    if (typeof value === 'string') {
      clauses.push(`${column} = ?`)
      params.push(value)
    }
  }
  if (parsed.openedBefore) {
    clauses.push('opened_at <= ?')
    params.push(parsed.openedBefore)
  }
  if (parsed.openedAfter) {
    clauses.push('opened_at >= ?')
    params.push(parsed.openedAfter)
  }
  return { sql: clauses.join(' AND '), params }
}

export function createIncidentStore(store: Store) {
  const sql = store.sql
  return {
    list(filter: IncidentFilter, limit: number): Promise<IncidentRow[]> {
      const w = where(filter)
      return sql.all<IncidentRow>(`SELECT * FROM incidents WHERE ${w.sql} ORDER BY opened_at, id LIMIT ?`, [
        ...w.params,
        limit,
      ])
    },
    async count(filter: IncidentFilter): Promise<number> {
      const w = where(filter)
      const row = await sql.get<{ n: number }>(`SELECT count(*) AS n FROM incidents WHERE ${w.sql}`, w.params)
      return Number(row?.n ?? 0)
    },
    /** The open incident of a run, if it has one. */
    openOf: (runId: string) =>
      sql.get<IncidentRow>("SELECT * FROM incidents WHERE run_id = ? AND status = 'open'", [runId]),
    insert: (row: Omit<IncidentRow, 'status' | 'resolution' | 'port' | 'reason' | 'resolved_by' | 'resolved_at'>) =>
      sql.run(
        "INSERT INTO incidents (id, run_id, flow_id, hash, node_id, connector, error_class, attempts, message, opened_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open') ON CONFLICT (id) DO NOTHING",
        [
          row.id,
          row.run_id,
          row.flow_id,
          row.hash,
          row.node_id,
          row.connector,
          row.error_class,
          row.attempts,
          row.message,
          row.opened_at,
        ],
      ),
    resolve: (
      runId: string,
      how: { resolution: string; port: string | null; reason: string | null; by: string; at: string },
    ) =>
      sql.all<{ id: string }>(
        "UPDATE incidents SET status = 'resolved', resolution = ?, port = ?, reason = ?, resolved_by = ?, resolved_at = ? WHERE run_id = ? AND status = 'open' RETURNING id",
        [how.resolution, how.port, how.reason, how.by, how.at, runId],
      ),
  }
}
export type IncidentStore = ReturnType<typeof createIncidentStore>

/**
 * Keeps the incidents table in step with runs' events: an incident.opened inserts the row (its
 * message redacted of the run's patient values), an incident.resolved closes it and writes the
 * operator's audit record, in the same transaction.
 */
export function incidentObserver(store: IncidentStore, audit: AuditService): BatchObserver {
  return async ({ run, events, actor, at, state }) => {
    for (const event of events) {
      if (event.type === 'incident.opened') {
        const values = patientValuesOfRun(state?.events ?? events)
        await store.insert({
          id: `${run.id}:${event.seq}`,
          run_id: run.id,
          flow_id: run.flowId,
          hash: run.hash,
          node_id: event.nodeId ?? '',
          connector: event.data.connector ?? null,
          error_class: event.data.errorClass ?? null,
          attempts: event.data.attempts ?? null,
          message: redactFreeText(event.data.message, values),
          opened_at: event.at,
        })
      } else if (event.type === 'incident.resolved') {
        const port = event.data.action === 'skip' ? event.data.port : null
        const closed = await store.resolve(run.id, {
          resolution: event.data.action,
          port,
          reason: actor.reason ?? null,
          by: actor.who,
          at,
        })
        await audit.record(
          incidentResolved(
            { who: actor.who, role: actor.role },
            { flow: run.flowId, hash: run.hash, run: run.id },
            {
              incident: closed[0]?.id ?? `${run.id}:${event.seq}`,
              action: event.data.action,
              ...(port !== null ? { port } : {}),
              ...(actor.reason ? { reason: actor.reason } : {}),
            },
          ),
        )
      }
    }
  }
}
