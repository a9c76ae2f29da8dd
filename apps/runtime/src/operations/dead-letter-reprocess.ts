// Reprocessing dead letters: each one goes through the same routing a new delivery would (the
// published flows as they are now), starting runs with the idempotency key its first delivery
// would have used, so reprocessing one twice, or a sender's resend after it, never starts a second
// run. Every reprocess is audited, with the outcome, in the transaction that records it.
import type { JsonValue } from '@carepath/dsl'
import { deadLetterReprocessed } from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import { readHl7Header } from '../integrations/hl7/hl7-header.ts'
import { runtimeHl7Routing } from '../integrations/hl7/hl7-runtime.ts'
import { nest } from '../integrations/webhook/webhook.handler.ts'
import { WEBHOOK, webhookTargets } from '../integrations/webhook/webhook-runtime.ts'
import type { Runtime } from '../runtime.ts'
import type { DeadLetterFilter, DeadLetterRow } from './dead-letters.service.ts'

/** The most letters one bulk reprocess takes. */
export const DEAD_LETTER_BULK_LIMIT = 500

/** What reprocessing one letter came to. */
export interface ReprocessResult {
  id: string
  ok: boolean
  outcome?: 'started' | 'already-started' | 'refused'
  runIds?: string[]
  /** Why it was refused again, or why it could not be tried. */
  error?: string
}

type Attempt = { accepted: true; runIds: string[] } | { accepted: false; reasonCode: string; reason: string }

async function route(runtime: Runtime, row: DeadLetterRow): Promise<Attempt> {
  if (row.source === 'event') {
    // A message for wait.event that expired: kept again, and given to the runs that wait for it now.
    const again = await runtime.events.redeliver(row.control_id)
    if (!again) return { accepted: false, reasonCode: 'not-found', reason: 'The message is no longer kept.' }
    if (again.runIds.length > 0) return { accepted: true, runIds: again.runIds }
    return {
      accepted: false,
      reasonCode: 'unmatched-expired',
      reason: `No run waits for it yet; it is kept for runs again until ${again.expiresAt}.`,
    }
  }
  if (row.source === 'webhook') {
    const path = row.message_type.replace(/^webhook:/, '')
    const target = (await webhookTargets(runtime, path)).find((t) => t.flowId === row.sender)
    if (!target)
      return {
        accepted: false,
        reasonCode: 'not-accepted',
        reason: `No published flow "${row.sender}" listens on the hook "${path}".`,
      }
    let body: JsonValue
    try {
      body = JSON.parse(row.payload) as JsonValue
    } catch {
      return { accepted: false, reasonCode: 'unreadable', reason: 'The body is not JSON.' }
    }
    try {
      if (target.deliver) {
        // A message for waiting runs (an event route): delivered again under the same signature.
        const runIds = await target.deliver(body, row.key.split(':')[1] ?? '')
        return runIds.length > 0
          ? { accepted: true, runIds }
          : { accepted: false, reasonCode: 'unmatched', reason: 'No run waits for it yet; it is kept for runs.' }
      }
      const run = await runtime.runs.start(
        { flowId: target.flowId, input: nest(target.into, body), idempotencyKey: row.key },
        WEBHOOK,
      )
      return { accepted: true, runIds: [run.id] }
    } catch (error) {
      if (error instanceof AppError) return { accepted: false, reasonCode: error.code, reason: error.message }
      throw error
    }
  }
  if (row.source === 'hl7-out') {
    // An outbound message goes back into its destination's queue; it starts no run.
    return (await runtime.hl7Outbound.resend(row.sender, row.control_id))
      ? { accepted: true, runIds: [] }
      : {
          accepted: false,
          reasonCode: 'not-set-aside',
          reason: `The message is no longer refused or set aside in the queue of ${row.sender}.`,
        }
  }
  const read = readHl7Header(row.payload)
  if (!read.ok) return { accepted: false, reasonCode: 'unreadable', reason: read.reason }
  const result = await runtimeHl7Routing(runtime)({
    raw: read.text,
    header: read.header,
    sender: row.sender,
    via: row.source === 'hl7-mllp' ? 'mllp' : 'http',
    dedupeKey: `hl7:${row.sender}:${read.header.controlId}`,
  })
  if (result.accepted) return { accepted: true, runIds: result.runIds }
  return {
    accepted: false,
    reasonCode: result.reason,
    reason: result.message ?? 'No flow accepts this message.',
  }
}

/** Reprocess letters by id, one after another; each result says what became of it. */
export async function reprocessDeadLetters(
  runtime: Runtime,
  ids: readonly string[],
  principal: Principal,
): Promise<ReprocessResult[]> {
  const letters = runtime.deadLetters
  const actor = auditActor(principal)
  const results: ReprocessResult[] = []
  for (const id of ids) {
    const row = await letters.byId(id)
    if (!row) {
      results.push({ id, ok: false, error: `No dead letter "${id}".` })
      continue
    }
    const audited = (outcome: 'started' | 'already-started' | 'refused', runIds: string[], reason?: string) =>
      runtime.audit.record(
        deadLetterReprocessed(actor, {
          deadLetter: id,
          controlId: row.control_id,
          outcome,
          runIds,
          ...(reason ? { reason } : {}),
        }),
      )
    if (row.status === 'reprocessed') {
      const runIds = JSON.parse(row.run_ids) as string[]
      await audited('already-started', runIds)
      results.push({ id, ok: true, outcome: 'already-started', runIds })
      continue
    }
    let attempt: Attempt
    try {
      attempt = await route(runtime, row)
    } catch {
      results.push({ id, ok: false, error: 'The message could not be reprocessed now; try again.' })
      continue
    }
    const at = runtime.now().toISOString()
    if (attempt.accepted) {
      const { runIds } = attempt
      await letters.transaction(async () => {
        // Another reprocess may have closed it meanwhile: the runs are the same (same keys).
        const closed = await letters.markReprocessed(id, runIds, principal.username, at)
        await audited(closed ? 'started' : 'already-started', runIds)
      })
      results.push({ id, ok: true, outcome: 'started', runIds })
    } else {
      await letters.transaction(async () => {
        await letters.refusedAgain(id, attempt.reasonCode, attempt.reason)
        await audited('refused', [], attempt.reason)
      })
      results.push({ id, ok: false, outcome: 'refused', error: attempt.reason })
    }
  }
  return results
}

/** Reprocess what a filter matches, once the operator has confirmed how many that is. */
export async function bulkReprocess(
  runtime: Runtime,
  filter: DeadLetterFilter,
  expectedCount: number,
  principal: Principal,
): Promise<{ count: number; results: ReprocessResult[] }> {
  const open = { ...filter, status: 'open' as const }
  const count = await runtime.deadLetters.count(open)
  if (count > DEAD_LETTER_BULK_LIMIT)
    throw new AppError(
      'bad-input',
      `${count} dead letters match; one bulk action takes at most ${DEAD_LETTER_BULK_LIMIT}. Narrow the search and try again.`,
      { path: 'filter' },
    )
  if (count !== expectedCount)
    throw new AppError(
      'conflict',
      `${count} dead letters match now, not ${expectedCount}: look at the list again before confirming.`,
      { path: 'expectedCount' },
    )
  const ids = await runtime.deadLetters.ids(open, DEAD_LETTER_BULK_LIMIT)
  return { count, results: await reprocessDeadLetters(runtime, ids, principal) }
}
