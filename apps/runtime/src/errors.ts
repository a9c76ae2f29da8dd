import type { TRPCError } from '@trpc/server'
import type { Problem } from '@carepath/dsl'

/**
 * Failures the runtime reports to callers, each with a stable code. Services throw these; only the
 * router edge (tRPC, REST) turns them into TRPCError / HTTP statuses, both read from this one
 * table. Messages are plain sentences and never carry patient data.
 *
 * `http` is the status tRPC's HTTP adapter gives the `trpc` code (a test holds them together), so
 * a REST caller and a tRPC caller see the same status for the same failure.
 */
export const APP_ERROR_CODES = {
  'bad-input': { trpc: 'BAD_REQUEST', http: 400 },
  'invalid-document': { trpc: 'BAD_REQUEST', http: 400 },
  'invalid-answer': { trpc: 'BAD_REQUEST', http: 400 },
  unauthenticated: { trpc: 'UNAUTHORIZED', http: 401 },
  forbidden: { trpc: 'FORBIDDEN', http: 403 },
  'not-found': { trpc: 'NOT_FOUND', http: 404 },
  conflict: { trpc: 'CONFLICT', http: 409 },
  'publish-blocked': { trpc: 'PRECONDITION_FAILED', http: 412 },
  'too-many-attempts': { trpc: 'TOO_MANY_REQUESTS', http: 429 },
  'payload-too-large': { trpc: 'PAYLOAD_TOO_LARGE', http: 413 },
} as const satisfies Record<string, { trpc: TRPCError['code']; http: number }>
export type AppErrorCode = keyof typeof APP_ERROR_CODES

/** What an error carries beside its message: the input path, validation problems, publish blockers. */
export interface AppErrorDetails {
  path?: string
  problems?: Problem[]
  blockers?: string[]
}

export class AppError extends Error {
  override readonly name = 'AppError'
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /**
     * Where in the input the problem is (a dotted path), and extra detail. Its parts are declared
     * in phi/app-error.policy.ts: a message that may quote the request's data leaves through it.
     */
    readonly details: AppErrorDetails = {},
  ) {
    super(message)
  }
}

/** The HTTP status an error code answers with (REST, and tRPC over HTTP). */
export const httpStatusOf = (code: AppErrorCode): number => APP_ERROR_CODES[code].http

/** The tRPC error code an error code becomes at the tRPC edge. */
export const trpcCodeOf = (code: AppErrorCode): TRPCError['code'] => APP_ERROR_CODES[code].trpc
