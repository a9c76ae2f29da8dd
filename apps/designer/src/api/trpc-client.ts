// The one connection to the runtime: a tRPC client typed by the runtime's router, plain JSON at
// /trpc, with the session token as a Bearer header. Errors come back as ApiError with the
// server's code and a plain sentence.
import { createTRPCClient, httpLink, isTRPCClientError, type TRPCClientError } from '@trpc/client'
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server'
import { z } from 'zod'
// Type-only: the router's types reach the designer, none of the server's code does.
import type { AppRouter } from '@carepath/runtime'

/** What each procedure returns, as the designer receives it (plain JSON: dates arrive as strings). */
export type RouterOutputs = inferRouterOutputs<AppRouter>
/** What each procedure accepts. */
export type RouterInputs = inferRouterInputs<AppRouter>

const TOKEN_KEY = 'carepath.session'

let token: string | null = sessionStorage.getItem(TOKEN_KEY)
let onUnauthorized: (() => void) | null = null

/**
 * `persist: false` keeps the token in memory only: the embedded view's session, opened by a
 * launch, ends with the frame and is never left in the host page's storage partition.
 */
export function setSessionToken(next: string | null, options: { persist?: boolean } = {}): void {
  token = next
  if (next && options.persist !== false) sessionStorage.setItem(TOKEN_KEY, next)
  else sessionStorage.removeItem(TOKEN_KEY)
}
export function getSessionToken(): string | null {
  return token
}
/** Called when the server says the session expired, so the app can return to log-in. */
export function onSessionExpired(handler: () => void): void {
  onUnauthorized = handler
}

/** The runtime's procedures, typed end to end; call them through `call` so failures become ApiErrors. */
export const trpc = createTRPCClient<AppRouter>({
  links: [
    httpLink({
      url: '/trpc',
      headers: () => (token ? { Authorization: `Bearer ${token}` } : {}),
    }),
  ],
})

/** The detail the runtime's error formatter sends with a failure (tRPC code, app code, field, problems, blockers). */
export type ApiErrorData = NonNullable<TRPCClientError<AppRouter>['data']>

/** A failed call, said plainly; `code` is the tRPC code (CONFLICT, BAD_REQUEST, ...). */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    message: string,
    readonly code: string,
    readonly data: ApiErrorData | null,
  ) {
    super(message)
  }
}

/** Await one procedure call; a failure is rethrown as an ApiError. */
export async function call<T>(request: Promise<T>): Promise<T> {
  try {
    return await request
  } catch (error) {
    throw toApiError(error)
  }
}

function toApiError(error: unknown): ApiError {
  if (isTRPCClientError<AppRouter>(error)) {
    const code = error.data?.code ?? 'INTERNAL_SERVER_ERROR'
    if (code === 'UNAUTHORIZED' && onUnauthorized) onUnauthorized()
    return new ApiError(readableMessage(error.message, code), code, error.data ?? null)
  }
  return new ApiError('The server could not be reached. Check that the runtime is running.', 'NETWORK', null)
}

const zodIssuesSchema = z.array(z.object({ message: z.string().optional(), path: z.array(z.unknown()).optional() }))

function readableMessage(message: string, code: string): string {
  // zod issue arrays arrive as JSON text; show the first message instead of the raw dump.
  if (message.trim().startsWith('[')) {
    const first = zodIssuesSchema.safeParse(parseJson(message)).data?.[0]
    if (first?.message) return `${first.message}${first.path?.length ? ` (at ${first.path.join('.')})` : ''}`
  }
  if (!message) return code === 'UNAUTHORIZED' ? 'Please log in again.' : 'The request failed.'
  return message
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined // not JSON after all
  }
}
