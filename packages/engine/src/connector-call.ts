import { NodeError, type JsonValue } from '@carepath/dsl'
import { toJson } from '@carepath/dsl'
import type { EngineDeps } from './engine-deps.ts'
import type { EventRecorder } from './event-recorder.ts'
import type { RunEventData } from './run-event.schema.ts'

/** Where a connector call is made from. */
export interface CallSite {
  runId: string
  nodeId: string
  scope: string
}

/**
 * Call a connector the way a run must: the request and the response (or failure) go into the
 * log; on replay the recorded response is returned and the adapter is not called again. Failed
 * attempts are retried per the connector's policy, waiting through the injected `sleep`.
 */
export async function callConnector(
  deps: EngineDeps,
  recorder: EventRecorder,
  site: CallSite,
  connector: string,
  request: JsonValue,
): Promise<JsonValue> {
  const policy = deps.retry?.[connector]
  const attempts = Math.max(1, Math.floor(policy?.attempts ?? 1))
  const cleanRequest = toJson(request)
  for (let attempt = 1; ; attempt++) {
    await recorder.emit('connector.request', site.nodeId, site.scope, { connector, request: cleanRequest, attempt })
    const recorded = recorder.takeRecorded('connector.response', site.nodeId, site.scope)
    let outcome: { response: JsonValue } | { error: string; retryable: boolean }
    if (recorded) {
      const data = recorded.data
      outcome =
        'error' in data ? { error: data.error, retryable: data.retryable !== false } : { response: data.response }
    } else {
      outcome = await liveCall(deps, site, connector, cleanRequest, attempt)
      const data: RunEventData<'connector.response'> =
        'response' in outcome
          ? { connector, attempt, response: outcome.response }
          : { connector, attempt, error: outcome.error, retryable: outcome.retryable }
      await recorder.emit('connector.response', site.nodeId, site.scope, data)
    }
    if ('response' in outcome) return outcome.response
    if (!outcome.retryable || attempt >= attempts) {
      throw new NodeError(outcome.error, { code: 'connector-failed', retryable: outcome.retryable })
    }
    // Only live attempts wait; a replay already knows how the next attempt went.
    if (!recorder.replaying && deps.sleep && policy) {
      await deps.sleep(policy.backoffMs * (policy.factor ?? 2) ** (attempt - 1))
    }
  }
}

async function liveCall(
  deps: EngineDeps,
  site: CallSite,
  connector: string,
  request: JsonValue,
  attempt: number,
): Promise<{ response: JsonValue } | { error: string; retryable: boolean }> {
  const adapter = Object.hasOwn(deps.connectors, connector) ? deps.connectors[connector] : deps.fallbackConnector
  if (!adapter) return { error: `No connector named "${connector}" is configured.`, retryable: false }
  try {
    const runId = site.runId
    const response = await adapter(request, { runId, nodeId: site.nodeId, attempt })
    return { response: toJson(response ?? null) }
  } catch (error) {
    const message = error instanceof Error ? error.message : 'the connector failed'
    const retryable = error instanceof NodeError ? error.options.retryable !== false : true
    return { error: message || 'the connector failed', retryable }
  }
}
