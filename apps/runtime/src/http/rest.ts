// The small REST API for outside systems. Each handler calls the same tRPC procedure the designer
// uses (createCaller), so validation, roles, token scopes and redaction are one code path.
import { TRPCError } from '@trpc/server'
import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import { Router, type Request, type Response } from 'express'
import { ZodError } from 'zod'
import { AppError, httpStatusOf } from '../errors.ts'
import type { Runtime } from '../runtime.ts'
import { appRouter } from '../trpc/routers/_app.ts'
import { createCallerFactory } from '../trpc/trpc.ts'
import { contextFor } from './context.ts'

const createCaller = createCallerFactory(appRouter)

/**
 * An error as REST callers see it: a status, a stable code, a plain message and the field. Takes a
 * procedure's TRPCError, or what the run-start lane meets itself (an AppError, a ZodError).
 */
export function restError(error: unknown): {
  status: number
  body: { error: { code: string; message: string; field?: string } }
} {
  const cause = error instanceof TRPCError ? error.cause : error
  if (cause instanceof AppError)
    return {
      status: httpStatusOf(cause.code),
      body: {
        error: {
          code: cause.code,
          message: cause.message,
          ...(cause.details.path ? { field: cause.details.path } : {}),
        },
      },
    }
  if (cause instanceof ZodError) {
    const issue = cause.issues[0]
    const field = issue?.path.map(String).join('.') ?? ''
    return {
      status: httpStatusOf('bad-input'),
      body: {
        error: {
          code: 'bad-input',
          message: `${field ? `${field}: ` : ''}${issue?.message ?? 'invalid input'}`,
          field,
        },
      },
    }
  }
  // Thrown by the auth middleware itself (no AppError below it): tRPC's own status for its code.
  if (error instanceof TRPCError) {
    const status = getHTTPStatusCodeFromError(error)
    if (status < 500) return { status, body: { error: { code: error.code.toLowerCase(), message: error.message } } }
  }
  return {
    status: 500,
    body: {
      error: { code: 'internal', message: 'Something went wrong on the server; nothing was changed by this request.' },
    },
  }
}

/**
 * What express's res.status().json() sends (same status, headers and bytes; etag is off for the
 * app), written straight to Node: the header and the body then leave in one write, without
 * express's send() checks, which cost a run start more than its JSON does.
 */
function sendJson(res: Response, status: number, value: unknown): void {
  const body = JSON.stringify(value) ?? ''
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.end(body)
}

export function restRouter(runtime: Runtime, onInternalError: (error: unknown) => void): Router {
  const api = Router()
  const handle =
    (work: (caller: ReturnType<typeof createCaller>, req: Request) => Promise<unknown>, status = 200) =>
    async (req: Request, res: Response) => {
      try {
        sendJson(res, status, await work(createCaller(await contextFor(runtime, req)), req))
      } catch (error) {
        const { status: code, body } = restError(error)
        if (code >= 500) onInternalError(error)
        sendJson(res, code, body)
      }
    }
  const body = (req: Request): Record<string, unknown> =>
    req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body)
      ? (req.body as Record<string, unknown>)
      : {}
  const param = (req: Request, name: string) => String(req.params[name] ?? '')

  // Inputs are validated by the procedures themselves (zod); the casts only hand over the raw body.
  api.post(
    '/auth/login',
    handle((c, req) => c.auth.login(body(req) as never)),
  )
  api.get(
    '/flows',
    handle((c) => c.flows.list()),
  )
  // A flow as `carepath pull` reads it: the draft (document, revision, hash) and its test cases.
  api.get(
    '/flows/:id',
    handle((c, req) => c.flows.get({ id: param(req, 'id') })),
  )
  api.get(
    '/flows/:id/suite',
    handle((c, req) => c.flows.suite({ id: param(req, 'id') })),
  )
  // `carepath push`: a new flow, or a new draft revision on top of the one the caller read.
  api.post(
    '/flows',
    handle((c, req) => c.flows.create(body(req) as never), 201),
  )
  api.put(
    '/flows/:id/draft',
    handle((c, req) => c.flows.save({ ...body(req), id: param(req, 'id') } as never)),
  )
  api.post(
    '/flows/:id/review',
    handle((c, req) => c.review.submit({ id: param(req, 'id') }), 201),
  )
  api.get(
    '/flows/:id/review',
    handle((c, req) => c.review.get({ id: param(req, 'id') })),
  )
  api.post(
    '/flows/:id/runs',
    handle((c, req) => c.runs.start({ ...body(req), flowId: param(req, 'id') } as never), 201),
  )
  api.get(
    '/runs/:id',
    handle((c, req) => c.runs.get({ id: param(req, 'id') })),
  )
  api.get(
    '/tasks',
    handle((c) => c.tasks.inbox()),
  )
  api.post(
    '/tasks/:id/answer',
    handle((c, req) => c.tasks.answer({ id: param(req, 'id'), answer: body(req).answer })),
  )
  api.post(
    '/events/:name',
    handle((c, req) => c.events.deliver({ ...body(req), name: param(req, 'name') } as never), 202),
  )
  // A host application's backend asks for a launch token of the embedded agent view.
  api.post(
    '/launch-tokens',
    handle((c, req) => c.embed.issueLaunch(body(req) as never), 201),
  )
  return api
}
