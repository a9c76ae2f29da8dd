// Who may frame Carepath's pages. Only the embedded agent view may be framed, and only by the
// origins registered for the host its address names (`/embed/agent?host=crm-desktop`); every
// other page, and the view for an unknown host, may be framed by nobody (clickjacking).
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

export function framePolicy(runtime: Runtime) {
  return (req: Request, res: Response, next: NextFunction) => {
    const ancestors = frameAncestors(req.path, req.query['host'], (audience) => runtime.launch.frameOrigins(audience))
    res.setHeader('Content-Security-Policy', `frame-ancestors ${ancestors}`)
    // Older browsers that ignore frame-ancestors: refuse framing everywhere but the view.
    if (ancestors === "'none'") res.setHeader('X-Frame-Options', 'DENY')
    next()
  }
}
