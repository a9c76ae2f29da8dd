// What every HTTP answer carries, from the security review's probes: helmet's headers (a CSP that
// allows no inline script, nosniff, no framing, no referrer), `Cache-Control: no-store` on the
// API (its answers may hold PHI), and a depth limit on JSON bodies and tRPC query inputs, checked
// on the raw text before anything parses or recurses over it.
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import helmet from 'helmet'
import { httpStatusOf } from '../errors.ts'

/** Deepest JSON nesting accepted anywhere (a flow document or a run's facts is far shallower). */
export const MAX_JSON_DEPTH = 100

/**
 * Whether `text` (JSON, or anything bracketed like it) nests arrays/objects deeper than `limit`.
 * One pass over the characters, brackets inside strings not counted: no parse, no recursion.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
      continue
    }
    if (c === 34) inString = true
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return true
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--
  }
  return false
}

/**
 * What a request whose JSON body cannot be read is answered: by express's error handler (app.ts)
 * for body-parser's failures, and by the run-start lane, which reads its body itself.
 */
export const BODY_REFUSALS = {
  tooLarge: {
    status: httpStatusOf('payload-too-large'),
    body: { error: { code: 'payload-too-large', message: 'The request body is larger than this server accepts.' } },
  },
  tooDeep: {
    status: httpStatusOf('bad-input'),
    body: { error: { code: 'bad-input', message: `The request nests JSON deeper than ${MAX_JSON_DEPTH} levels.` } },
  },
  notJson: {
    status: httpStatusOf('bad-input'),
    body: { error: { code: 'bad-input', message: 'The request body is not valid JSON.' } },
  },
} as const

/** The error body-parser passes on when `verify` throws it: a 400, told apart by its type. */
export class TooDeepError extends Error {
  override readonly name = 'TooDeepError'
  readonly status = 400
  readonly type = 'entity.too.deep'
  constructor() {
    super(BODY_REFUSALS.tooDeep.body.error.message)
  }
}

/** express.json's `verify`: refuse a body nested too deep before it is parsed. */
export function verifyJsonDepth(_req: unknown, _res: unknown, buf: Buffer): void {
  // Cheap bound first: a body cannot nest deeper than it has bytes.
  if (buf.length > MAX_JSON_DEPTH && jsonDepthExceeds(buf.toString('utf8'))) throw new TooDeepError()
}

/** tRPC reads GET inputs (and batch inputs) from the query string: the same limit applies there. */
export const queryDepthLimit: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  const query = req.url.indexOf('?')
  if (query < 0 || req.url.length - query <= MAX_JSON_DEPTH) return next()
  let text: string
  try {
    text = decodeURIComponent(req.url.slice(query + 1).replace(/\+/g, ' '))
  } catch {
    return next() // tRPC answers a malformed query string itself, with a 400
  }
  if (jsonDepthExceeds(text)) return next(new TooDeepError())
  next()
}

/** No answer of the API is kept by a browser or a proxy: it may hold patient data. */
export const NO_STORE_HEADERS: readonly (readonly [string, string])[] = [
  ['Cache-Control', 'no-store'],
  ['Pragma', 'no-cache'],
]

export const noStore: RequestHandler = (_req, res, next) => {
  for (const [name, value] of NO_STORE_HEADERS) res.setHeader(name, value)
  next()
}

/**
 * helmet, set for the built designer: scripts only from this origin (Vite emits no inline script),
 * Monaco's injected <style> elements allowed, its workers from this origin, no framing, no
 * referrer. HSTS is sent by the HTTPS server itself (server.ts), never on plain HTTP. Who may frame
 * a page is asked per request (`frameAncestorsOf`): only the embedded agent view, by its host's
 * registered origins (frame-policy.ts, which also sends X-Frame-Options where nobody may).
 */
export function securityHeaders(frameAncestorsOf: (req: IncomingMessage) => string = () => "'none'"): RequestHandler {
  const perRequest = helmetHeaders(frameAncestorsOf)
  // For a page nobody may frame (every answer but the embed view's) helmet writes the same headers
  // every time: taken from helmet once and replayed, they cost a run start a few setHeader calls
  // instead of a dozen middlewares and a CSP built anew.
  const fixed = unframedSecurityHeaders()
  return (req, res, next) => {
    if (frameAncestorsOf(req) !== "'none'") return perRequest(req, res, next)
    for (const [name, value] of fixed) res.setHeader(name, value)
    next()
  }
}

/**
 * helmet's headers for an answer nobody may frame, as [name, value] pairs: helmet run once against
 * a response of no connection, whose headers are then read back.
 */
export function unframedSecurityHeaders(): readonly (readonly [string, string])[] {
  unframed ??= readUnframedHeaders()
  return unframed
}
let unframed: readonly (readonly [string, string])[] | undefined

function readUnframedHeaders(): (readonly [string, string])[] {
  const req = new IncomingMessage(new Socket())
  const res = new ServerResponse(req)
  let failure: unknown
  helmetHeaders(() => "'none'")(req, res, (error?: unknown) => {
    failure = error
  })
  if (failure !== undefined) throw failure
  return res.getHeaderNames().flatMap((name) => {
    const value = res.getHeader(name)
    if (value === undefined) return []
    return [[name, Array.isArray(value) ? value.join(', ') : String(value)] as const]
  })
}

function helmetHeaders(frameAncestorsOf: (req: IncomingMessage) => string) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        'worker-src': ["'self'", 'blob:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': [(req) => frameAncestorsOf(req)],
      },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: false,
    crossOriginEmbedderPolicy: false,
  })
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }

/** express `limit` syntax ('64kb', '1mb', a number of bytes) to bytes; default 1 MiB. */
export function bodyLimitBytes(limit: string | number | undefined): number {
  if (typeof limit === 'number') return limit
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit ?? '1mb')
  if (!match) return 1024 ** 2
  return Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!)
}
