import type { IncomingMessage } from 'node:http'
import type { Request } from 'express'
import type { Context } from '../trpc/trpc.ts'
import type { Runtime } from '../runtime.ts'

/** The Bearer token of a request, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match?.[1]
}

/** Build the tRPC context (used by /trpc and by the REST handlers through createCaller). */
export async function contextFor(runtime: Runtime, req: Request): Promise<Context> {
  const token = bearerToken(req)
  return {
    runtime,
    token,
    principal: token ? await runtime.auth.authenticate(token) : undefined,
    address: req.ip ?? req.socket.remoteAddress,
    origin: req.get('host') ? `${req.protocol}://${req.get('host')}` : undefined,
  }
}
