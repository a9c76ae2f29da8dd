// Who may frame Carepath's pages. Only the embedded agent view may be framed, and only by the
// origins registered for the host its address names (`/embed/agent?host=crm-desktop`); every
// other page, and the view for an unknown host, may be framed by nobody (clickjacking).
import type { IncomingMessage } from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import type { Runtime } from '../runtime.ts'

/** The path of the embeddable agent view. */
export const EMBED_PATH = '/embed/agent'

/** The Content-Security-Policy `frame-ancestors` value for a request's path and host. */
export async function frameAncestors(
  path: string,
  host: unknown,
  originsOf: (audience: string) => Promise<string[]>,
): Promise<string> {
  if (path !== EMBED_PATH || typeof host !== 'string') return "'none'"
  const origins = await originsOf(host)
  return origins.length > 0 ? origins.join(' ') : "'none'"
}

// The value for each request, read from the database by `resolveFrameAncestors` before the
// headers are written (helmet asks for it synchronously).
const resolved = new WeakMap<IncomingMessage, string>()

/** Reads the registered origins for a request to the embed view (every other request: nobody). */
export function resolveFrameAncestors(runtime: Runtime) {
  return (req: Request, _res: Response, next: NextFunction) => {
    // Most requests are not for the embed view: they need no URL parsed (any form of its address contains the path).
    if (!req.url.includes(EMBED_PATH)) return next()
    const url = new URL(req.url, 'http://carepath.invalid')
    const host = url.searchParams.get('host') ?? undefined
    frameAncestors(url.pathname, host, (audience) => runtime.launch.frameOrigins(audience)).then((value) => {
      resolved.set(req, value)
      next()
    }, next)
  }
}

/** `frame-ancestors` for one request, as `resolveFrameAncestors` found it (helmet asks with the bare request). */
export function frameAncestorsOf(req: IncomingMessage): string {
  return resolved.get(req) ?? "'none'"
}

/** What older browsers, which ignore frame-ancestors, are told where nobody may frame a page. */
export const NO_FRAMING_HEADER = ['X-Frame-Options', 'DENY'] as const

/** Older browsers ignore frame-ancestors: refuse framing everywhere but the registered view. */
export function framePolicy(req: Request, res: Response, next: NextFunction) {
  if (frameAncestorsOf(req) === "'none'") res.setHeader(...NO_FRAMING_HEADER)
  next()
}
