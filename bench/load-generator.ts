// The HTTP load generator every benchmark uses: autocannon in a process of its own (so its CPU is
// not the server's), POSTing a run start with a fresh idempotency key each, or GET /healthz. The
// child prints one JSON line with its result; `runLoad` starts it and reads that line.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { JsonValue } from '@carepath/dsl'

/** What one level of load asks for: POSTs of `{ input, idempotencyKey }` to `path`, or GET /healthz. */
export interface LoadSpec {
  url: string
  path: string
  token?: string
  connections: number
  duration: number
  input: JsonValue
}

export interface LoadResult {
  connections: number
  requests: number
  perSecond: number
  p50: number
  p99: number
  non2xx: number
  errors: number
}

/** The part of autocannon's result read here. */
interface AutocannonResult {
  requests: { total: number; average: number }
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
}

/** The load, run in this process (the child's side): prints its result line. */
async function load(spec: LoadSpec): Promise<void> {
  const specifier = 'autocannon'
  // autocannon ships no types and its result is only read here: the cast names the one call made
  // and AutocannonResult the part of the answer read (a benchmark's own tool, not outside data).
  const { default: autocannon } = (await import(specifier)) as unknown as {
    default: (opts: object) => Promise<AutocannonResult>
  }
  let n = 0
  const prefix = `${spec.connections}-${process.pid}`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (spec.token) headers.authorization = `Bearer ${spec.token}`
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    requests:
      spec.path === '/healthz'
        ? [{ method: 'GET', path: spec.path }]
        : [
            {
              method: 'POST',
              path: spec.path,
              headers,
              setupRequest: (req: object) => ({
                ...req,
                body: JSON.stringify({ input: spec.input, idempotencyKey: `${prefix}-${n++}` }),
              }),
            },
          ],
  })
  const out: LoadResult = {
    connections: spec.connections,
    requests: result.requests.total,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}

/** One level of load from a child process: its result once it has run for `spec.duration` seconds. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--load', JSON.stringify(spec)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += String(d)))
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as LoadResult)
        : reject(new Error(`load generator exited ${code}`)),
    )
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--load')
  await load(JSON.parse(process.argv[3] ?? '{}') as LoadSpec)
