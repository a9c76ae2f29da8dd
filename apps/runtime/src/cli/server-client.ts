// Talking to a running Carepath server from the command line (`carepath pull`, `carepath push`):
// its address and an API token come from the environment (CAREPATH_SERVER, CAREPATH_TOKEN) or a
// token file, never from argv, where other users of the machine can read them. Every failure is
// one CliError line with the server's own message.
import { readFileSync } from 'node:fs'
import { CliError } from './cli-io.ts'

/** What a command needs from its surroundings; tests pass their own. */
export interface ServerContext {
  env: Readonly<Record<string, string | undefined>>
  fetch: typeof fetch
  print: (line: string) => void
}

export const defaultServerContext: ServerContext = {
  env: process.env,
  fetch: (input, init) => fetch(input, init),
  print: (line) => console.log(line),
}

export interface ServerClient {
  /** The JSON body of a 2xx answer; a 404 is `undefined` when `allowMissing` is set. */
  call(method: string, path: string, body?: unknown, allowMissing?: boolean): Promise<unknown>
}

/** The server and token named by `--server` / `--token-file` or the environment. */
export function serverClient(options: Map<string, string>, context: ServerContext): ServerClient {
  const server = options.get('server') ?? context.env['CAREPATH_SERVER']
  if (!server)
    throw new CliError('name the server with --server URL or CAREPATH_SERVER (e.g. https://carepath.example.org)')
  let base: URL
  try {
    base = new URL(server)
  } catch {
    throw new CliError(`--server: "${server}" is not a URL`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new CliError('--server must be an http(s) URL')
  const token = tokenFrom(options, context)
  return {
    async call(method, path, body, allowMissing = false) {
      let response: Response
      try {
        response = await context.fetch(new URL(`/api${path}`, base), {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : ''
        throw new CliError(`cannot reach ${base.origin}${cause}`, 1)
      }
      const text = await response.text()
      const parsed = parseJson(text)
      if (response.ok) return parsed
      if (response.status === 404 && allowMissing) return undefined
      throw new CliError(
        `${base.origin} answered ${response.status}: ${errorMessageOf(parsed) ?? response.statusText}`,
        1,
      )
    },
  }
}

function tokenFrom(options: Map<string, string>, context: ServerContext): string {
  const file = options.get('token-file')
  if (file) {
    try {
      const token = readFileSync(file, 'utf8').trim()
      if (token) return token
    } catch {
      throw new CliError(`--token-file: cannot read ${file}`)
    }
    throw new CliError(`--token-file: ${file} is empty`)
  }
  const token = context.env['CAREPATH_TOKEN']
  if (!token)
    throw new CliError(
      'give an API token in CAREPATH_TOKEN or --token-file FILE (an admin makes one: carepath token create)',
    )
  return token
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined
  const error = body.error
  if (typeof error !== 'object' || error === null || !('message' in error) || typeof error.message !== 'string')
    return undefined
  return error.message
}
