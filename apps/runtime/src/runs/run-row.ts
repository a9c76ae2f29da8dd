// A run's row as the hand-written statements of the run store read and write it. The type, the
// column list and a new row's values in that list's order live together: a column added to one
// and not the others would read or write the wrong field without any error.
import type { RunStatus } from '@carepath/engine'

/** A row of the runs table, as `RUN_COLUMNS` reads it. */
export interface RunRow {
  id: string
  flow_id: string
  hash: string
  status: RunStatus
  outcome: string | null
  idempotency_key: string
  started_by: string
  created_at: string
  updated_at: string
  event_count: number
  wait_until: string | null
}

/** The columns of a `RunRow`, in the order `newRunValues` gives a new row's values. */
export const RUN_COLUMNS =
  'id, flow_id, hash, status, outcome, idempotency_key, started_by, created_at, updated_at, event_count, wait_until'

/** Who is stepping a run, and until when (ISO-8601) others must leave it alone. */
export interface Lease {
  owner: string
  until: string
}

/** A new run's row, and its lease while its first step is still going (see `claimRun`). */
export interface NewRun {
  row: RunRow
  lease: Lease | null
}

/** A new run's values for `RUN_COLUMNS` followed by `lease_owner, lease_until`. */
export const newRunValues = ({ row, lease }: NewRun) => [
  row.id,
  row.flow_id,
  row.hash,
  row.status,
  row.outcome,
  row.idempotency_key,
  row.started_by,
  row.created_at,
  row.updated_at,
  row.event_count,
  row.wait_until,
  lease?.owner ?? null,
  lease?.until ?? null,
]
