// The one connection to the runtime: tRPC over plain JSON at /trpc, with the session token as a
// Bearer header. Errors come back as ApiError with the server's code and a plain sentence.
import { createTRPCUntypedClient, httpLink, TRPCClientError } from '@trpc/client'

const TOKEN_KEY = 'carepath.session'

let token: string | null = sessionStorage.getItem(TOKEN_KEY)
let onUnauthorized: (() => void) | null = null

export function setSessionToken(next: string | null): void {
  token = next
  if (next) sessionStorage.setItem(TOKEN_KEY, next)
  else sessionStorage.removeItem(TOKEN_KEY)
}
export function getSessionToken(): string | null {
  return token
}
/** Called when the server says the session expired, so the app can return to log-in. */
export function onSessionExpired(handler: () => void): void {
  onUnauthorized = handler
}

const client = createTRPCUntypedClient({
  links: [
    httpLink({
      url: '/trpc',
      headers: () => (token ? { Authorization: `Bearer ${token}` } : {}),
    }),
  ],
})

/** A failed call, said plainly; `code` is the tRPC code (CONFLICT, BAD_REQUEST, ...). */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    message: string,
    readonly code: string,
    readonly data: unknown,
  ) {
    super(message)
  }
}

function toApiError(error: unknown): ApiError {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as { code?: string }
    const shape = (error.shape ?? {}) as { data?: unknown }
    const code = data.code ?? 'INTERNAL_SERVER_ERROR'
    if (code === 'UNAUTHORIZED' && onUnauthorized) onUnauthorized()
    return new ApiError(readableMessage(error.message, code), code, shape.data ?? error.data)
  }
  return new ApiError('The server could not be reached. Check that the runtime is running.', 'NETWORK', null)
}

function readableMessage(message: string, code: string): string {
  // zod issue arrays arrive as JSON text; show the first message instead of the raw dump.
  if (message.trim().startsWith('[')) {
    try {
      const issues = JSON.parse(message) as { message?: string; path?: unknown[] }[]
      const first = issues[0]
      if (first?.message) return `${first.message}${first.path?.length ? ` (at ${first.path.join('.')})` : ''}`
    } catch {
      // not JSON after all: fall through
    }
  }
  if (!message) return code === 'UNAUTHORIZED' ? 'Please log in again.' : 'The request failed.'
  return message
}

/** Call a query procedure (`flows.list`, ...). */
export async function query<T>(path: string, input?: unknown): Promise<T> {
  try {
    return (await client.query(path, input)) as T
  } catch (error) {
    throw toApiError(error)
  }
}

/** Call a mutation procedure (`flows.save`, ...). */
export async function mutate<T>(path: string, input?: unknown): Promise<T> {
  try {
    return (await client.mutation(path, input)) as T
  } catch (error) {
    throw toApiError(error)
  }
}
