// One middleware for the runtime's HTTP app: `POST /api/hooks/:path` (signed webhooks) and
// `POST /api/hl7` (HL7 v2, ACK in the body). Mount it BEFORE any body parser: signatures are
// checked over the raw bytes.  app.use(createInboundHttpHandler(runtime, { log }))
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Runtime } from '../runtime.ts'
import { createRuntimeHl7HttpHandler } from './hl7/hl7-runtime.ts'
import { createRuntimeWebhookHandler } from './webhook/webhook-runtime.ts'

export interface InboundHttpOptions {
  /** Who may post HL7 over HTTP (e.g. an API token check); absent → anyone who can reach it. */
  authorizeHl7?: (req: IncomingMessage) => boolean
  log?: (line: string) => void
  /** Largest body accepted (bytes); larger ones get 413 and start nothing. */
  maxBytes?: number
}

export function createInboundHttpHandler(runtime: Runtime, options: InboundHttpOptions = {}) {
  const limit = options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}
  const hooks = createRuntimeWebhookHandler(runtime, limit)
  const hl7 = createRuntimeHl7HttpHandler(runtime, {
    ...limit,
    ...(options.log ? { log: options.log } : {}),
    ...(options.authorizeHl7 ? { authorize: options.authorizeHl7 } : {}),
  })
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    const path = (req.url ?? '').split('?')[0] ?? ''
    const hook = /^\/api\/hooks\/([a-z0-9][a-z0-9-]{0,62})$/.exec(path)
    if (hook) {
      hooks(req, res, hook[1]!).catch(next)
      return
    }
    if (path === '/api/hl7') return hl7(req, res)
    next()
  }
}
