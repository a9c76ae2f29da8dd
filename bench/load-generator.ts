// The HTTP load generator every benchmark uses: autocannon in a process of its own (so its CPU is
// not the server's), POSTing a run start with a fresh idempotency key each, or GET /healthz. The
// child prints one JSON line with its result; `runLoad` starts it and reads that line.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'

/** What one level of load asks for: POSTs of `{ input, idempotencyKey }` to `path`, or GET /healthz. */
const loadSpecSchema = z.object({
  url: z.string(),
  path: z.string(),
  token: z.string().optional(),
  connections: z.number().int().positive(),
  duration: z.number().positive(),
  input: z.custom<JsonValue>(),
})
export type LoadSpec = z.infer<typeof loadSpecSchema>

const loadResultSchema = z.object({
  connections: z.number(),
  requests: z.number(),
  perSecond: z.number(),
  p50: z.number(),
  p99: z.number(),
  non2xx: z.number(),
  errors: z.number(),
  /** The load generator's own CPU (ms) over the measured duration: on one machine, it competes with the server. */
  cpuMs: z.number(),
})
export type LoadResult = z.infer<typeof loadResultSchema>

/** The part of autocannon's result read here (it ships no types: its answer is parsed). */
const autocannonResultSchema = z.object({
  requests: z.object({ total: z.number(), average: z.number() }),
  latency: z.object({ p50: z.number(), p99: z.number() }),
  non2xx: z.number(),
  errors: z.number(),
})

const isCallable = (value: unknown): value is (options: object) => unknown => typeof value === 'function'

const cpuMsSince = (before: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

/** The load, run in this process (the child's side): prints its result line. */
async function load(spec: LoadSpec): Promise<void> {
  const specifier = 'autocannon'
  const loaded: unknown = await import(specifier)
  const autocannon = typeof loaded === 'object' && loaded !== null && 'default' in loaded ? loaded.default : undefined
  if (!isCallable(autocannon)) throw new Error('autocannon exports no function: is it installed?')
  let n = 0
  const cpuBefore = process.cpuUsage()
  const prefix = `${spec.connections}-${process.pid}`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (spec.token) headers.authorization = `Bearer ${spec.token}`
  const result = autocannonResultSchema.parse(
    await autocannon({
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
    }),
  )
  const out: LoadResult = {
    connections: spec.connections,
    requests: result.requests.total,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuMs: cpuMsSince(cpuBefore),
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
        ? resolve(loadResultSchema.parse(JSON.parse(out.trim().split('\n').pop() ?? '')))
        : reject(new Error(`load generator exited ${code}`)),
    )
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--load')
  await load(loadSpecSchema.parse(JSON.parse(process.argv[3] ?? '{}')))
