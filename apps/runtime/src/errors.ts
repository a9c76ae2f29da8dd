/**
 * Failures the runtime reports to callers, each with a stable code. Services throw these; only the
 * router edge (tRPC, REST) turns them into TRPCError / HTTP statuses. Messages are plain sentences
 * and never carry patient data.
 */
export const APP_ERROR_CODES = {
  'bad-input': 400,
  'invalid-document': 400,
  'invalid-answer': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'publish-blocked': 409,
  'too-many-attempts': 429,
  'payload-too-large': 413,
} as const
export type AppErrorCode = keyof typeof APP_ERROR_CODES

export class AppError extends Error {
  override readonly name = 'AppError'
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Where in the input the problem is (a dotted path), and extra detail safe to show. */
    readonly details: { path?: string; problems?: unknown[]; blockers?: string[] } = {},
  ) {
    super(message)
  }
}

export const httpStatusOf = (code: AppErrorCode): number => APP_ERROR_CODES[code]
