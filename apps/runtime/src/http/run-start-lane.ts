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
import { roleRefusal, signInRefusal } from '../trpc/trpc.ts'
import { bearerToken } from './context.ts'
import {
  bodyLimitBytes,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  NO_STORE_HEADERS,
  TooDeepError,
  unframedSecurityHeaders,
} from './hardening.ts'
import { restError } from './rest.ts'

/** The one path the lane serves; anything else in the URL (a query, a further segment) goes to express. */
const RUN_START_PATH = /^\/api\/flows\/([^/?#]+)\/runs$/
/** What express.json reads itself: JSON in UTF-8, and nothing to inflate. */
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i

/** The body-parser failures express's error handler turns into these answers (app.ts). */
const TOO_LARGE = {
  status: 413,
  body: { error: { code: 'payload-too-large', message: 'The request body is larger than this server accepts.' } },
}
const NOT_JSON = { status: 400, body: { error: { code: 'bad-input', message: 'The request body is not valid JSON.' } } }
const TOO_DEEP = { status: 400, body: { error: { code: 'bad-input', message: new TooDeepError().message } } }

export interface RunStartLaneOptions {
  /** The JSON body limit, as express.json takes it (`runtime.options.bodyLimit`). */
  bodyLimit: string | number | undefined
  /** Where an internal failure is reported (its message is not: it may hold patient data). */
  onInternalError: (error: unknown) => void
}

/**
 * A request listener's first look: takes a run start it can serve exactly as the REST route would
 * and returns true, or returns false and leaves the request untouched for express.
 */
export function runStartLane(
  runtime: Runtime,
  options: RunStartLaneOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limit = bodyLimitBytes(options.bodyLimit)
  // Every answer of the route carries these (securityHeaders, framePolicy and noStore in app.ts).
  const fixedHeaders = [...unframedSecurityHeaders(), ['X-Frame-Options', 'DENY'] as const, ...NO_STORE_HEADERS].flat()

  function send(res: ServerResponse, status: number, value: unknown): void {
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
    const principal = token ? await runtime.auth.authenticate(token) : undefined
    const refused = signInRefusal(principal, 'runs.start') ?? (principal && roleRefusal(principal, START_RUN_ROLES))
    if (refused || !principal) throw refused
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
      send(res, TOO_LARGE.status, TOO_LARGE.body)
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
      send(res, TOO_LARGE.status, TOO_LARGE.body)
    })
    req.on('end', () => {
      if (refused) return
      // iconv-lite, which express.json decodes with, drops a byte order mark: so does the lane.
      const text = Buffer.concat(chunks, received)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
      if (text.length > MAX_JSON_DEPTH && jsonDepthExceeds(text)) return send(res, TOO_DEEP.status, TOO_DEEP.body)
      let body: unknown
      try {
        body = text.length === 0 ? {} : JSON.parse(text)
      } catch {
        return send(res, NOT_JSON.status, NOT_JSON.body)
      }
      start(req, flowId, body).then(
        (run) => send(res, 201, run),
        (error: unknown) => {
          const { status, body } = restError(error)
          if (status >= 500) options.onInternalError(error)
          send(res, status, body)
        },
      )
    })
    return true
  }
}
