import { TRPCError } from '@trpc/server'
import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import { describe, expect, it } from 'vitest'
import { APP_ERROR_CODES, AppError, httpStatusOf, trpcCodeOf, type AppErrorCode } from './errors.ts'
import { restError } from './http/rest.ts'

const codes = Object.keys(APP_ERROR_CODES) as AppErrorCode[]

describe('error codes at the transport edge', () => {
  it.each(codes)('%s answers with one HTTP status over tRPC and REST', (code) => {
    const cause = new AppError(code, 'A plain sentence.', { path: 'input.field' })
    const asTrpc = new TRPCError({ code: trpcCodeOf(code), message: cause.message, cause })
    expect(getHTTPStatusCodeFromError(asTrpc)).toBe(httpStatusOf(code))
    expect(restError(asTrpc)).toEqual({
      status: httpStatusOf(code),
      body: { error: { code, message: 'A plain sentence.', field: 'input.field' } },
    })
  })

  it('keeps the statuses callers already rely on', () => {
    expect(Object.fromEntries(codes.map((code) => [code, httpStatusOf(code)]))).toEqual({
      'bad-input': 400,
      'invalid-document': 400,
      'invalid-answer': 400,
      unauthenticated: 401,
      forbidden: 403,
      'not-found': 404,
      conflict: 409,
      'publish-blocked': 412,
      'too-many-attempts': 429,
      'payload-too-large': 413,
    })
  })
})
