// A run's new events on their way to disk: buffered as the engine emits them and written per
// batch, each batch in one group commit with the tasks, waits and row it implies, the observers'
// writes and one audit record. One persister per start or step of a run; what every persister of
// a service shares is given once, to `createRunPersisters`.
import type { RunEvent, RunEventType, RunState } from '@carepath/engine'
import type { AuditService } from '../audit/audit.service.ts'
import { runStepped } from '../audit/audit-entries.ts'
import { decisionForAudit, type AuditedDecision } from '../audit/decision-why.ts'
import { correlationRef } from '../events/correlation-ref.ts'
import { patientValuesOfRun, redactFreeText } from '../phi/free-text.ts'
import type { Lease, NewRun, RunRow } from './run-row.ts'
import type { RunStore } from './run-store.ts'

/** Which run a persister writes: `hash` moves on when the run migrates to another version. */
export interface RunIdentity {
  id: string
  flowId: string
  hash: string
  idempotencyKey: string
}

/** One committed batch of a run's events, as an observer sees it (inside the batch's transaction). */
export interface RunBatch {
  run: { id: string; flowId: string; hash: string }
  events: readonly RunEvent[]
  /** The run's status before this batch (undefined for a new run) and after it. */
  previous: RunState['status'] | undefined
  status: RunState['status']
  /** When the run started (its run.started event's time). */
  startedAt: string
  /** The commit's time. */
  at: string
  actor: Actor
  /** The whole run state, on the last batch of a start or resume. */
  state?: RunState | undefined
}
/** Sees every committed batch of every run, inside the batch's transaction (`RunsDeps.observers`). */
export type BatchObserver = (batch: RunBatch) => Promise<void> | void

/** Work that commits in the transaction of a run's step (awaited there; only the store may be awaited). */
export type SameTransaction = () => Promise<unknown> | void

/**
 * Who caused a step: a person, an outside system, or the runtime itself (recovery, timers).
 * `reason` is an operator's own words for resolving an incident (audited with it).
 */
export type Actor = { who: string; role: string; reason?: string }

// Engine events that go to disk before the run goes on: a connector request is durable before
// the call is made and its response before anything uses it, so a crash never repeats a call
// whose answer was kept. Every other event waits for the batch's one transaction.
const FLUSH_NOW: ReadonlySet<RunEventType> = new Set(['connector.request', 'connector.response'])

/** What every persister of a runs service shares, given once. */
export interface RunPersisterDeps {
  store: RunStore
  audit: Pick<AuditService, 'record'>
  now: () => Date
  /** The lease of a step that is still going, from now. */
  leaseFromNow: () => Lease
  observers: readonly BatchObserver[]
  /** Keys the references that stand in for patient values in the audit trail. */
  auditSecret: string
}

/** Makes a run's persister (see `createRunPersisters`). */
export type CreatePersister = ReturnType<typeof createRunPersisters>

/** The persisters of one runs service: `deps` once, then one persister per start or step of a run. */
export function createRunPersisters(deps: RunPersisterDeps) {
  const { store, audit, now, leaseFromNow, observers, auditSecret } = deps
  /** Buffers a run's new events and writes them, with their tasks and one audit record, per batch. */
  function createPersister(
    run: RunIdentity,
    actor: Actor,
    firstCount: number,
    startedBy?: string,
    before?: { status: RunState['status']; startedAt: string },
  ) {
    let previous = before?.status
    let startedAt = before?.startedAt
    let pending: RunEvent[] = []
    let written = firstCount
    let created = startedBy === undefined
    // Whether the run may have stored waits to clear: a new run has none until it awaits a message.
    let mayAwait = created
    let batches = 0
    // The run's row as last written by this persister (a new run's start returns it without reading it back).
    let row: RunRow | undefined
    // Work that must commit with the step's first batch (see `carry`).
    let carried: SameTransaction | undefined
    const flush = (state?: RunState, inSameTransaction?: SameTransaction): Promise<void> => {
      if (pending.length === 0 && !state && !inSameTransaction && !carried) return Promise.resolve()
      const batch = pending
      pending = []
      const alongside = [carried, inSameTransaction]
      carried = undefined
      const at = now().toISOString()
      const status = state?.status ?? 'running'
      const waitUntil = state?.status === 'waiting' ? (state.waitUntil ?? null) : null
      // First write of a new run: its row goes in ahead of the group's writes, once, already in
      // its state after this batch.
      const newRun: NewRun | undefined = created
        ? undefined
        : {
            row: {
              id: run.id,
              flow_id: run.flowId,
              hash: run.hash,
              status,
              outcome: state?.outcome ?? null,
              idempotency_key: run.idempotencyKey,
              started_by: startedBy ?? actor.who,
              created_at: at,
              updated_at: at,
              event_count: written + batch.length,
              wait_until: waitUntil,
            },
            lease: state ? null : leaseFromNow(),
          }
      created = true
      return store.commit(async () => {
        await store.appendEvents(run.id, batch, run.hash)
        const decisions: AuditedDecision[] = []
        for (const event of batch) {
          if (event.type === 'task.opened') {
            const { taskId, request } = event.data
            await store.insertTask({
              id: taskId,
              runId: run.id,
              flowId: run.flowId,
              nodeId: event.nodeId ?? '',
              role: request.role,
              request,
              at,
              dueAt: request.due?.at,
            })
          } else if (event.type === 'run.migrated') {
            // Before this batch's new task.opened (events are in log order): the old version's task closes.
            await store.cancelOpenTasks(run.id, at)
            await store.stopAwaiting(run.id)
            await store.rehashRun(run.id, event.data.toHash)
            run.hash = event.data.toHash
          } else if (event.type === 'task.expired') {
            await store.expireTask(event.data.taskId, at)
          } else if (event.type === 'event.awaited') {
            mayAwait = true
            await store.awaitEvent(
              run.id,
              // Stored as the keyed hash messages are looked up by (events.service): never the value.
              { name: event.data.name, key: correlationRef(auditSecret, event.data.key), nodeId: event.nodeId ?? '' },
              at,
            )
          } else if (
            mayAwait &&
            (event.type === 'event.received' || event.type === 'wait.due' || event.type === 'run.ended')
          ) {
            await store.stopAwaiting(run.id)
          } else if (event.type === 'decision') {
            decisions.push(decisionForAudit({ nodeId: event.nodeId ?? '', ...event.data }, auditSecret))
          }
        }
        const before = written
        written += batch.length
        for (const work of alongside) await work?.()
        if (newRun) row = newRun.row
        else {
          // The step's last write gives the run back; a write before it renews the lease.
          await store.updateRun(
            run.id,
            state ?? { status: 'running' },
            written,
            at,
            before,
            state ? null : leaseFromNow(),
          )
          if (row)
            row = {
              ...row,
              status,
              outcome: state?.outcome ?? null,
              event_count: written,
              wait_until: waitUntil,
              updated_at: at,
            }
        }
        startedAt ??= batch[0]?.at ?? at
        for (const observe of observers)
          await observe({ run, events: batch, previous, status, startedAt, at, actor, state })
        previous = status
        await audit.record(
          runStepped(
            batches++ === 0 && firstCount === 0,
            // Who, not why: an operator's reason is audited once, with the incident's resolution.
            { who: actor.who, role: actor.role },
            { flow: run.flowId, hash: run.hash, run: run.id },
            {
              events: batch.length,
              decisions,
              status,
              ...(state?.outcome ? { outcome: state.outcome } : {}),
              ...(state?.error ? { error: redactFreeText(state.error.message, patientValuesOfRun(state.events)) } : {}),
            },
          ),
        )
      }, newRun)
    }
    return {
      onEvent(event: RunEvent): Promise<void> | void {
        pending.push(event)
        if (FLUSH_NOW.has(event.type)) return flush()
      },
      flush,
      /**
       * Commit `work` with the next batch written, whichever it is: a step whose connector call
       * flushes early commits it with its first events (a message's delivery with the run's
       * event.received), so a kill -9 between two batches cannot leave them apart.
       */
      carry(work: SameTransaction) {
        carried = work
      },
      /** The row as written by the last committed flush, when this persister created the run. */
      row: () => row,
    }
  }
  return createPersister
}
