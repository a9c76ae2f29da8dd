import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createExpressMiddleware } from '@trpc/server/adapters/express'
import express, { type NextFunction, type Request, type Response } from 'express'
import { createInboundHttpHandler } from '../integrations/index.ts'
import type { Runtime } from '../runtime.ts'
import { appRouter } from '../trpc/routers/_app.ts'
import { bearerToken, contextFor } from './context.ts'
import { framePolicy, frameAncestorsOf, resolveFrameAncestors } from './frame-policy.ts'
import {
  BODY_REFUSALS,
  bodyLimitBytes,
  noStore,
  queryDepthLimit,
  securityHeaders,
  verifyJsonDepth,
} from './hardening.ts'
import { oidcRoutes } from './oidc-routes.ts'
import { openApiDocument } from './openapi.ts'
import { restRouter } from './rest.ts'
import { runStartLane } from './run-start-lane.ts'
import { attachmentRoutes } from '../evidence/attachment-routes.ts'

const defaultDesignerDist = resolve(dirname(fileURLToPath(import.meta.url)), '../../../designer/dist')

export interface AppOptions {
  /** Where the built designer is (default apps/designer/dist). */
  designerDist?: string
  /** Reports whether the server is ready (healthz) and accepting work. */
  isReady: () => boolean
  /** Server-side log of internal failures: error class and stack frames only, never messages (they may hold patient data). */
  log: (line: string) => void
  /** Serve run starts from the lane before express (run-start-lane.ts; default true). Tests compare both ways. */
  runStartLane?: boolean
}

/** Log an internal failure without its message: stack frames say where, and hold no patient data. */
export function describeInternalError(error: unknown): string {
  if (!(error instanceof Error)) return 'internal error (non-Error thrown)'
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((l) => l.trim().startsWith('at '))
    .slice(0, 6)
  return [`internal error: ${error.name}`, ...frames].join('\n')
}

/** HL7 over HTTP is for systems that may start runs: an API token with runs:start, or a developer/agent session. */
async function mayPostHl7(runtime: Runtime, token: string | undefined): Promise<boolean> {
  const principal = token ? await runtime.auth.authenticate(token) : undefined
  if (!principal) return false
  if (principal.scopes) return principal.scopes.includes('runs:start')
  return principal.role === 'developer' || principal.role === 'agent'
}

// The HL7 handler asks synchronously who may post (integrations/inbound-http.ts): the answer is
// read from the database just before it, per request.
const hl7Allowed = new WeakMap<IncomingMessage, boolean>()
function authorizeHl7First(runtime: Runtime) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.path !== '/api/hl7') return next()
    mayPostHl7(runtime, bearerToken(req)).then((allowed) => {
      hl7Allowed.set(req, allowed)
      next()
    }, next)
  }
}

/** The express app: /healthz, inbound /api/hooks/:path and /api/hl7, /trpc, /api (REST + OpenAPI), and the designer at /. */
export function createApp(runtime: Runtime, options: AppOptions) {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  if (runtime.options.trustProxy)
    app.set(
      'trust proxy',
      /^\d+$/.test(runtime.options.trustProxy) ? Number(runtime.options.trustProxy) : runtime.options.trustProxy,
    )
  app.use(resolveFrameAncestors(runtime))
  app.use(securityHeaders(frameAncestorsOf))
  app.use(framePolicy)
  app.use(['/trpc', '/api', '/auth'], noStore)
  app.get('/healthz', (_req, res) => {
    res.status(options.isReady() ? 200 : 503).json({ ok: options.isReady() })
  })
  // Prometheus scrapes: counts, rates and times per flow version and connector, no patient data.
  app.get('/metrics', (_req, res, next) => {
    runtime.prometheus
      .text()
      .then((text) => res.type(runtime.prometheus.contentType).send(text))
      .catch(next)
  })
  // Signed webhooks and HL7 over HTTP read their own raw bytes (signatures are over them), so they
  // are served before the JSON body parser, under the same size limit.
  app.use(authorizeHl7First(runtime))
  app.use(
    createInboundHttpHandler(runtime, {
      maxBytes: bodyLimitBytes(runtime.options.bodyLimit),
      authorizeHl7: (req) => hl7Allowed.get(req) ?? false,
      log: options.log,
    }),
  )
  app.use(oidcRoutes(runtime, options.log))
  // Evidence files arrive as raw bodies under their own size limit, so before the JSON parser.
  app.use(attachmentRoutes(runtime, (error) => options.log(describeInternalError(error))))
  // strict: false so a bare JSON value (a tRPC input of null or a string) parses like an object does.
  app.use(
    ['/trpc', '/api'],
    queryDepthLimit,
    express.json({ limit: runtime.options.bodyLimit ?? '1mb', strict: false, verify: verifyJsonDepth }),
  )
  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      createContext: ({ req }) => contextFor(runtime, req),
      onError: ({ error }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') options.log(describeInternalError(error.cause ?? error))
      },
    }),
  )
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument)
  })
  app.use(
    '/api',
    restRouter(runtime, (error) => options.log(describeInternalError(error))),
  )
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not-found', message: 'No such API endpoint; see /api/openapi.json.' } })
  })

  const dist = options.designerDist ?? defaultDesignerDist
  const index = join(dist, 'index.html')
  app.use(express.static(dist, { index: false }))
  app.get('/{*path}', (_req, res) => {
    if (existsSync(index)) res.sendFile(index)
    else
      res
        .status(200)
        .type('text/plain')
        .send(
          'The designer is not built yet. Build it with `pnpm --filter @carepath/designer build` (or start with `npm start`, which builds it), then reload.\nThe API is up: /api/openapi.json, /trpc, /healthz.\n',
        )
  })

  // Body parser failures and anything else: a plain 4xx for bad input, never a stack.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
        ? error.status
        : 500
    const type = typeof error === 'object' && error !== null && 'type' in error ? String(error.type) : ''
    const refusal =
      status === 413 || type === 'entity.too.large'
        ? BODY_REFUSALS.tooLarge
        : type === 'entity.too.deep'
          ? BODY_REFUSALS.tooDeep
          : type === 'entity.parse.failed'
            ? BODY_REFUSALS.notJson
            : undefined
    if (refusal) res.status(refusal.status).json(refusal.body)
    else if (status >= 400 && status < 500)
      res.status(status).json({ error: { code: 'bad-input', message: 'The request could not be read.' } })
    else {
      options.log(describeInternalError(error))
      res.status(500).json({ error: { code: 'internal', message: 'Something went wrong on the server.' } })
    }
  })
  const lane = runStartLane(runtime, (error) => options.log(describeInternalError(error)))
  return options.runStartLane === false
    ? app
    : (req: IncomingMessage, res: ServerResponse) => {
        if (!lane(req, res)) app(req, res)
      }
}
