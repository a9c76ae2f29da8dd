// Who may frame Carepath's pages. Only the embedded agent view may be framed, and only by the
// origins registered for the host its address names (`/embed/agent?host=crm-desktop`); every
// other page, and the view for an unknown host, may be framed by nobody (clickjacking).
import type { IncomingMessage } from 'node:http'
import type { NextFunction, Request, Response } from 'express'
import type { Runtime } from '../runtime.ts'

/** The path of the embeddable agent view. */
export const EMBED_PATH = '/embed/agent'

/** The Content-Security-Policy `frame-ancestors` value for a request's path and host. */
export function frameAncestors(path: string, host: unknown, originsOf: (audience: string) => string[]): string {
  if (path !== EMBED_PATH || typeof host !== 'string') return "'none'"
  const origins = originsOf(host)
  return origins.length > 0 ? origins.join(' ') : "'none'"
}

/** `frame-ancestors` for one request, read from its URL (helmet asks with the bare request). */
export function frameAncestorsOf(runtime: Runtime): (req: IncomingMessage) => string {
  return (req) => {
    // Most requests are not for the embed view: they need no URL parsed (any form of its address contains the path).
    if (!req.url?.includes(EMBED_PATH)) return "'none'"
    const url = new URL(req.url, 'http://carepath.invalid')
    const host = url.searchParams.get('host') ?? undefined
    return frameAncestors(url.pathname, host, (audience) => runtime.launch.frameOrigins(audience))
  }
}

/** Older browsers ignore frame-ancestors: refuse framing everywhere but the registered view. */
export function framePolicy(runtime: Runtime) {
  const ancestorsOf = frameAncestorsOf(runtime)
  return (req: Request, res: Response, next: NextFunction) => {
    if (ancestorsOf(req) === "'none'") res.setHeader('X-Frame-Options', 'DENY')
    next()
  }
}
