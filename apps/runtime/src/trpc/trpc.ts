// tRPC is initialised once, here. Auth is middleware: `procedureFor(...roles)` derives a base
// procedure per set of roles, and the same middleware turns the services' typed AppErrors into
// TRPCErrors (the only place that happens for tRPC), by the codes' table in errors.ts.
import { initTRPC, TRPCError } from '@trpc/server'
import { ZodError } from 'zod'
import type { Principal } from '../auth/auth.service.ts'
import type { UserRole } from '../db/schema.ts'
import { AppError, trpcCodeOf } from '../errors.ts'
import type { Runtime } from '../runtime.ts'

export interface Context {
  runtime: Runtime
  /** The Bearer token as sent (needed by logout). */
  token?: string | undefined
  principal?: Principal | undefined
  /** The client's address (its IP as express sees it, behind `trust proxy` when set): log-in throttling is per address. */
  address?: string | undefined
  /** The origin the request was made to (scheme://host), the relying party of passkeys unless configured. */
  origin?: string | undefined
}

/** An input problem as the caller sees it: a plain sentence and the field path. */
function zodSummary(error: ZodError): { message: string; path: string } {
  const issue = error.issues[0]
  const path = issue?.path.map(String).join('.') ?? ''
  return { message: `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid input'}`, path }
}

const t = initTRPC.context<Context>().create({
  // Never send stacks; internal failures get one plain sentence (their detail may hold patient data).
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause
    const appError = cause instanceof AppError ? cause : undefined
    const zod = cause instanceof ZodError ? zodSummary(cause) : undefined
    const internal = error.code === 'INTERNAL_SERVER_ERROR'
    return {
      message: internal
        ? 'Something went wrong on the server; nothing was changed by this request.'
        : (zod?.message ?? shape.message),
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        appCode: appError?.code ?? (zod ? 'bad-input' : undefined),
        field: appError?.details.path ?? zod?.path,
        problems: appError?.details.problems,
        blockers: appError?.details.blockers,
      },
    }
  },
})

export const router = t.router
export const createCallerFactory = t.createCallerFactory

/** Converts AppErrors raised below into TRPCErrors; lets everything else through untouched. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next()
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause
    throw new TRPCError({ code: trpcCodeOf(cause.code), message: cause.message, cause })
  }
  return result
})

export const publicProcedure = t.procedure.use(appErrors)

/** The scope an API token needs for each procedure it may call; every other procedure is closed to tokens. */
export const TOKEN_SCOPES: Record<string, string> = {
  'flows.list': 'flows:read',
  'flows.get': 'flows:read',
  'flows.suite': 'flows:read',
  'review.get': 'flows:read',
  'flows.create': 'flows:write',
  'flows.save': 'flows:write',
  'review.submit': 'flows:write',
  'runs.start': 'runs:start',
  'runs.get': 'runs:read',
  'tasks.inbox': 'tasks:read',
  'tasks.answer': 'tasks:answer',
  'events.deliver': 'events:deliver',
  'embed.issueLaunch': 'launch:issue',
}

/**
 * The principal, when it may call the procedure at `path`: signed in, and an API token only where
 * its scopes reach; refused with a TRPCError otherwise. Also asked by the REST run-start lane
 * (http/run-start-lane.ts).
 */
export function signedInFor(principal: Principal | undefined, path: string): Principal {
  if (!principal)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first (your session may have expired).' })
  const scopes = principal.scopes
  if (scopes) {
    const needed = TOKEN_SCOPES[path]
    if (!needed || !scopes.includes(needed))
      throw new TRPCError({ code: 'FORBIDDEN', message: 'This API token is not allowed to do that.' })
  }
  return principal
}

/** Refuses, with a TRPCError, a principal whose role is not one of `roles`. */
export function checkRole(principal: Principal, roles: readonly UserRole[]): void {
  if (!roles.includes(principal.role))
    throw new TRPCError({ code: 'FORBIDDEN', message: `The ${principal.role} role may not do that.` })
}

export const authedProcedure = publicProcedure.use(({ ctx, path, next }) =>
  next({ ctx: { ...ctx, principal: signedInFor(ctx.principal, path) } }),
)

/** A base procedure open to the given roles only. */
export function procedureFor(...roles: UserRole[]) {
  return authedProcedure.use(({ ctx, next }) => {
    checkRole(ctx.principal, roles)
    return next()
  })
}
