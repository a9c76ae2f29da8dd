// `POST /api/flows/:id/runs`, the request an outside system sends for every patient event, served
// straight from Node's HTTP server instead of through express and a tRPC caller. Measured on a
// 2-core machine, express's router, body parser and response helpers and tRPC's middleware
// chain cost a run start about 0.25 ms of CPU, more than its three decisions do: this lane is
// what brings an audited run start under the 0.6 ms the HTTP path is held to.
//
// It answers exactly what the REST route answers (http/rest.ts: same status, headers and bytes),
// because it is made of the same parts: the procedure's roles, token scopes and input schema
// (routers/runs.router.ts), the runs service, the REST error shapes, helmet's headers and the
// body limits. A request it is not sure about (another content type or encoding, a query
// string, a path express would decode differently) is left to express. run-start-lane.test.ts
// sends each kind of request both ways and compares the answers.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Runtime } from '../runtime.ts'
import { runSummary } from '../runs/run-view.ts'
import { START_RUN_ROLES, startRunInput } from '../trpc/routers/runs.router.ts'
import { checkRole, signedInFor } from '../trpc/trpc.ts'
import { bearerToken } from './context.ts'
import { NO_FRAMING_HEADER } from './frame-policy.ts'
import {
  BODY_REFUSALS,
  bodyLimitBytes,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  NO_STORE_HEADERS,
  unframedSecurityHeaders,
} from './hardening.ts'
import { restError } from './rest.ts'

/** The one path the lane serves; anything else in the URL (a query, a further segment) goes to express. */
const RUN_START_PATH = /^\/api\/flows\/([^/?#]+)\/runs$/
/** What express.json reads itself: JSON in UTF-8, and nothing to inflate. */
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i

/**
 * A request listener's first look: takes a run start it can serve exactly as the REST route would
 * and returns true, or returns false and leaves the request untouched for express. An internal
 * failure goes to `onInternalError` (its message is not sent: it may hold patient data).
 */
export function runStartLane(
  runtime: Runtime,
  onInternalError: (error: unknown) => void,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  // The same limit express.json is given (app.ts).
  const limit = bodyLimitBytes(runtime.options.bodyLimit)
  // Every answer of the route carries these (securityHeaders, framePolicy and noStore in app.ts).
  const fixedHeaders = [...unframedSecurityHeaders(), NO_FRAMING_HEADER, ...NO_STORE_HEADERS].flat()

  function send(res: ServerResponse, { status, body: value }: { status: number; body: unknown }): void {
    const body = JSON.stringify(value)
    res.writeHead(status, [
      ...fixedHeaders,
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      String(Buffer.byteLength(body)),
    ])
    res.end(body)
  }

  async function start(req: IncomingMessage, flowId: string, body: unknown) {
    const token = bearerToken(req)
    const principal = signedInFor(token ? await runtime.auth.authenticate(token) : undefined, 'runs.start')
    checkRole(principal, START_RUN_ROLES)
    const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {}
    const input = startRunInput.parse({ ...fields, flowId })
    return runSummary(await runtime.runs.start(input, principal))
  }

  return (req, res) => {
    if (req.method !== 'POST') return false
    const match = RUN_START_PATH.exec(req.url ?? '')
    const type = req.headers['content-type']
    if (!match || type === undefined || !PLAIN_JSON.test(type)) return false
    const encoding = req.headers['content-encoding']
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false
    let flowId: string
    try {
      flowId = decodeURIComponent(match[1]!)
    } catch {
      return false // express refuses a malformed escape itself
    }
    const declared = req.headers['content-length']
    if (declared !== undefined && Number(declared) > limit) {
      req.resume()
      send(res, BODY_REFUSALS.tooLarge)
      return true
    }
    // A client that goes away mid-body ends nothing here: no run is started for half a request.
    req.on('error', () => undefined)
    const chunks: Buffer[] = []
    let received = 0
    let refused = false
    req.on('data', (chunk: Buffer) => {
      if (refused) return
      received += chunk.length
      if (received <= limit) return void chunks.push(chunk)
      refused = true
      send(res, BODY_REFUSALS.tooLarge)
    })
    req.on('end', () => {
      if (refused) return
      // iconv-lite, which express.json decodes with, drops a byte order mark: so does the lane.
      const text = Buffer.concat(chunks, received)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
      if (text.length > MAX_JSON_DEPTH && jsonDepthExceeds(text)) return send(res, BODY_REFUSALS.tooDeep)
      let body: unknown
      try {
        body = text.length === 0 ? {} : JSON.parse(text)
      } catch {
        return send(res, BODY_REFUSALS.notJson)
      }
      start(req, flowId, body).then(
        (run) => send(res, { status: 201, body: run }),
        (error: unknown) => {
          const refusal = restError(error)
          if (refusal.status >= 500) onInternalError(error)
          send(res, refusal)
        },
      )
    })
    return true
  }
}
