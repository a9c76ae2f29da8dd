// POST /api/hooks/:path for trigger.webhook flows: verify, then start each published flow whose
// trigger has that path, with the JSON body at the trigger's `into`. The run's idempotency key is
// the signature, so even a replay that outlived the verifier's memory starts nothing new.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonValue } from '@carepath/dsl'
import type { WebhookVerifier } from './webhook-verify.ts'
import { jsonDepthExceeds } from '../../http/hardening.ts'

export interface WebhookTarget {
  flowId: string
  secret: string
  /** The signing secrets of the settings revision the flow's published version is pinned to. */
  secrets?: Record<string, string>
  toleranceSeconds: number
  into: string
  /**
   * An event route instead of a flow to start: deliver the verified body to the runs waiting for
   * it (their ids). Throws when the body lacks what the route needs (kept as a dead letter then).
   */
  deliver?(body: JsonValue, signature: string): Promise<string[]>
}

export interface WebhookHandlerOptions {
  verifier: WebhookVerifier
  /** Published flows whose start node is trigger.webhook with this path. */
  targets(path: string): WebhookTarget[] | Promise<WebhookTarget[]>
  startRun(flowId: string, input: { [key: string]: JsonValue }, idempotencyKey: string): Promise<{ id: string }>
  maxBytes?: number
  /**
   * Whether a delivery verified here was already taken by another process sharing the database
   * (the verifier's memory is this process's only): a replay is refused there too. What it
   * started is kept unique by the database (the run's idempotency key, the message id), so two
   * copies racing through two processes still start one run.
   */
  takenElsewhere?(signature: string, target: WebhookTarget): Promise<boolean>
  /**
   * A verified delivery whose flow could not start (its input refused, the flow not runnable):
   * kept as a dead letter under `idempotencyKey`, so a reprocess starts the run this delivery
   * would have. Returns the letter's id. Without it, the failure goes to the caller's error handler.
   */
  onStartFailed?(failed: {
    path: string
    flowId: string
    rawBody: string
    idempotencyKey: string
    error: unknown
  }): string | undefined | Promise<string | undefined>
}

const STATUS = {
  'missing-signature': 401,
  malformed: 401,
  'bad-signature': 401,
  stale: 401,
  replay: 409,
  'unknown-secret': 503,
} as const

function send(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

/** `value` under the dotted `path` (a trigger's `into`). */
export function nest(path: string, value: JsonValue): { [key: string]: JsonValue } {
  return path
    .split('.')
    .reverse()
    .reduce<JsonValue>((inner, key) => ({ [key]: inner }), value) as { [key: string]: JsonValue }
}

/** `path` is the hook's segment (the caller's router extracts it from the URL). */
export function createWebhookHandler(options: WebhookHandlerOptions) {
  const maxBytes = options.maxBytes ?? 256 * 1024
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (req.method !== 'POST') return send(res, 405, { error: 'POST a signed JSON body.' })
    const parts: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > maxBytes) return send(res, 413, { error: 'The body is too large.' })
      parts.push(chunk as Buffer)
    }
    const rawBody = Buffer.concat(parts).toString('utf8')
    const targets = await options.targets(path)
    if (targets.length === 0) return send(res, 404, { error: 'No flow listens on this hook.' })
    let body: JsonValue
    const runIds: string[] = []
    const deadLetters: string[] = []
    // Several flows may share a hook; one delivery is verified once per secret (else the second
    // check would see the first as a replay).
    // Keyed by the secrets object too: versions pinned to different revisions may hold different values.
    const verdicts = new Map<Record<string, string> | undefined, Map<string, ReturnType<WebhookVerifier['verify']>>>()
    for (const target of targets) {
      const bySecret = verdicts.get(target.secrets) ?? new Map<string, ReturnType<WebhookVerifier['verify']>>()
      verdicts.set(target.secrets, bySecret)
      const verdict =
        bySecret.get(target.secret) ??
        options.verifier.verify({
          secretName: target.secret,
          ...(target.secrets ? { secrets: target.secrets } : {}),
          rawBody,
          headers: req.headers,
          toleranceSeconds: target.toleranceSeconds,
        })
      bySecret.set(target.secret, verdict)
      if (!verdict.ok) return send(res, STATUS[verdict.reason], { error: verdict.message })
      if (options.takenElsewhere && (await options.takenElsewhere(verdict.signature, target)))
        return send(res, STATUS.replay, { error: 'This delivery was already received.' })
      if (jsonDepthExceeds(rawBody)) return send(res, 400, { error: 'The body nests JSON too deep.' })
      try {
        body = JSON.parse(rawBody) as JsonValue
      } catch {
        return send(res, 400, { error: 'The body is not JSON.' })
      }
      const idempotencyKey = `webhook:${verdict.signature}:${target.flowId}`
      try {
        if (target.deliver) runIds.push(...(await target.deliver(body, verdict.signature)))
        else runIds.push((await options.startRun(target.flowId, nest(target.into, body), idempotencyKey)).id)
      } catch (error) {
        if (!options.onStartFailed) throw error
        const deadLetter = await options.onStartFailed({ path, flowId: target.flowId, rawBody, idempotencyKey, error })
        deadLetters.push(deadLetter ?? '')
      }
    }
    if (deadLetters.length > 0)
      return send(res, 422, {
        error: 'The delivery was verified but its flow could not start; it is kept for an operator.',
        runIds,
        deadLetters,
      })
    return send(res, 202, { runIds })
  }
}
