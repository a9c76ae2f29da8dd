import {
  canonicalJson,
  isPromiseLike,
  NodeError,
  type JsonValue,
  type MaybePromise,
  type RetryPolicy,
} from '@carepath/dsl'
import { toJson } from '@carepath/dsl'
import { connectorErrorClass, isRetryable, retryDelayMs } from './connector-errors.ts'
import type { RunEventData } from './run-event.schema.ts'
import type { RunContext } from './run-context.ts'

/** Where a connector call is made from. */
export interface CallSite {
  runId: string
  nodeId: string
  scope: string
  /** The node's own retry policy (its `retry`), when it has one. */
  policy?: RetryPolicy | undefined
}

type Outcome = { response: JsonValue } | { error: string; retryable: boolean; code?: string; retryAfterMs?: number }

/** The key a successful call is known by when an operator retries its step (see `RunContext.reusable`). */
export function callKey(scope: string, nodeId: string, connector: string, request: JsonValue): string {
  return `${scope}\u0000${nodeId}\u0000${connector}\u0000${canonicalJson(request)}`
}

/**
 * Call a connector the way a run must: the request and the response (or failure) go into the
 * log; on replay the recorded response is returned and the adapter is not called again. A failed
 * attempt that may be retried (timeouts, unreachable peers, 5xx, 429; never a 4xx) is tried again
 * per the node's policy (else the installation's), after a `connector.retry` event and a wait
 * through the injected `sleep`. When an operator retries a step, a call that already succeeded
 * in it is answered from the log and not made again.
 */
export async function callConnector(
  run: RunContext,
  site: CallSite,
  connector: string,
  request: JsonValue,
): Promise<JsonValue> {
  const { deps, recorder } = run
  const cleanRequest = toJson(request)
  if (run.reusable.size > 0) {
    const reused = run.reusable.get(callKey(site.scope, site.nodeId, connector, cleanRequest))?.shift()
    if (reused !== undefined) return reused
  }
  const policy = site.policy ?? deps.retry?.[connector] ?? deps.defaultRetry
  const attempts = Math.max(1, Math.floor(policy?.attempts ?? 1))
  for (let attempt = 1; ; attempt++) {
    // Awaited only when they are promises (see MaybePromise): a simulated call waits on nothing.
    const requested = recorder.emit('connector.request', site.nodeId, site.scope, {
      connector,
      request: cleanRequest,
      attempt,
    })
    if (requested instanceof Promise) await requested
    const recorded = recorder.takeRecorded('connector.response', site.nodeId, site.scope)
    let outcome: Outcome
    if (recorded) {
      const data = recorded.data
      outcome = 'error' in data ? failureOf(data) : { response: data.response }
    } else {
      const called = liveCall(run, site, connector, cleanRequest, attempt)
      outcome = called instanceof Promise ? await called : called
      const data: RunEventData<'connector.response'> =
        'response' in outcome
          ? { connector, attempt, response: outcome.response }
          : {
              connector,
              attempt,
              error: outcome.error,
              retryable: outcome.retryable,
              ...(outcome.code !== undefined ? { code: outcome.code } : {}),
              ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
            }
      const responded = recorder.emit('connector.response', site.nodeId, site.scope, data)
      if (responded instanceof Promise) await responded
    }
    if ('response' in outcome) return outcome.response
    const retryable = isRetryable(connectorErrorClass(outcome.code), outcome.retryable)
    if (!retryable || attempt >= attempts || !policy) {
      throw NodeError.withoutStack(outcome.error, {
        code: outcome.code ?? 'connector-failed',
        retryable,
        ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
      })
    }
    const delayMs = retryDelayMs(policy, attempt, outcome.retryAfterMs)
    const replayed = recorder.replaying
    await recorder.emit('connector.retry', site.nodeId, site.scope, { connector, attempt, delayMs })
    // Only live attempts wait; a replay already knows how the next attempt went.
    if (!replayed && deps.sleep && delayMs > 0) await deps.sleep(delayMs)
  }
}

function failureOf(data: Extract<RunEventData<'connector.response'>, { error: string }>): Outcome {
  return {
    error: data.error,
    retryable: data.retryable !== false,
    ...(data.code !== undefined ? { code: data.code } : {}),
    ...(data.retryAfterMs !== undefined ? { retryAfterMs: data.retryAfterMs } : {}),
  }
}

/** One attempt through the adapter; a promise only when the adapter answered with one. */
function liveCall(
  run: RunContext,
  site: CallSite,
  connector: string,
  request: JsonValue,
  attempt: number,
): MaybePromise<Outcome> {
  const { deps } = run
  const adapter = Object.hasOwn(deps.connectors, connector) ? deps.connectors[connector] : deps.fallbackConnector
  if (!adapter)
    return { error: `No connector named "${connector}" is configured.`, retryable: false, code: 'not-configured' }
  try {
    const response = adapter(request, { runId: site.runId, nodeId: site.nodeId, attempt })
    if (!isPromiseLike(response)) return answered(response)
    return Promise.resolve(response).then(answered).catch(failedCall)
  } catch (error) {
    return failedCall(error)
  }
}

function answered(response: JsonValue | undefined): Outcome {
  return { response: toJson(response ?? null) }
}

function failedCall(error: unknown): Outcome {
  const message = error instanceof Error ? error.message : 'the connector failed'
  if (!(error instanceof NodeError)) return { error: message || 'the connector failed', retryable: true }
  const { code, retryable, retryAfterMs } = error.options
  return {
    error: message || 'the connector failed',
    retryable: retryable !== false,
    ...(code !== undefined ? { code } : {}),
    ...(retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0
      ? { retryAfterMs: Math.round(retryAfterMs) }
      : {}),
  }
}
