// Runs `carepath …` (the CLI's TypeScript entry under tsx) as a child process, the way the tests
// of the commands and of `serve`'s set-up do. Asynchronous, so the test worker stays responsive,
// and bounded: a command still running after the ceiling is asked for a Node diagnostic report
// (its JavaScript stack and open handles) and killed, and the test fails with where it stood
// instead of holding the whole unit stage until CI gives up.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { TEST_WAIT_MS } from './wait-until.ts'

const MAIN = join(import.meta.dirname, '..', 'cli', 'main.ts')

export interface CliResult {
  /** The exit code; null when the process ended on a signal. */
  status: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  /** Added to the test process's environment. */
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Written to the command's stdin, which is then closed. */
  input?: string
  ceilingMs?: number
  /** The ceiling counts from the first output on stdout matching this (by default, from the start). */
  ceilingFrom?: RegExp
}

/** The parts of a Node diagnostic report that say where a process stands. */
const endpointSchema = z.object({ host: z.string().nullish(), port: z.number().nullish() }).nullish()
const reportSchema = z.object({
  javascriptStack: z.object({ stack: z.array(z.string()).optional() }).optional(),
  libuv: z
    .array(
      z.object({
        type: z.string(),
        is_active: z.boolean().optional(),
        remoteEndpoint: endpointSchema,
        localEndpoint: endpointSchema,
      }),
    )
    .optional(),
})

export function runCarepathCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runNodeBounded(['--import', 'tsx', MAIN, ...args], `carepath ${args.join(' ')}`, options)
}

/** `node …nodeArgs` as runCarepathCli runs a command (`what` names it in a failure). */
export function runNodeBounded(nodeArgs: string[], what: string, options: CliOptions = {}): Promise<CliResult> {
  const ceilingMs = options.ceilingMs ?? TEST_WAIT_MS
  const reports = mkdtempSync(join(tmpdir(), 'carepath-cli-report-'))
  const child = spawn(
    process.execPath,
    ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reports}`, ...nodeArgs],
    { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)))
  child.stdin.end(options.input ?? '')
  return new Promise<CliResult>((resolve, reject) => {
    let stuck = false
    let ceiling: NodeJS.Timeout | undefined
    const arm = () => (ceiling ??= setTimeout(stop, ceilingMs))
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += String(chunk)
      if (ceiling === undefined && options.ceilingFrom?.test(stdout)) arm()
    })
    if (!options.ceilingFrom) arm()
    function stop() {
      stuck = true
      child.kill('SIGUSR2')
      // Node says on stderr when the report is complete: give it a moment to be written.
      const reportBy = Date.now() + 10_000
      const reportAfter = setInterval(() => {
        const written = /Node\.js report completed/.test(stderr)
        if (!written && Date.now() < reportBy) return
        clearInterval(reportAfter)
        const report = readdirSync(reports).find((name) => name.endsWith('.json'))
        // No report: the main thread never got back to JavaScript (blocked in native code, as in
        // a module loader's Atomics.wait deadlock); what the kernel says each thread waits on.
        const where =
          written && report
            ? describeReport(join(reports, report))
            : `it wrote no diagnostic report (its main thread is blocked outside JavaScript); its threads wait on: ${threadWaits(child.pid)}`
        child.kill('SIGKILL')
        reject(
          new Error(
            `\`${what}\` was still running after ${ceilingMs / 1000} s; ${where}\nstdout: ${stdout}\nstderr: ${stderr}`,
          ),
        )
      }, 100)
    }
    child.once('error', reject)
    child.once('close', (status) => {
      clearTimeout(ceiling)
      rmSync(reports, { recursive: true, force: true })
      if (!stuck) resolve({ status, stdout, stderr })
    })
  })
}

/** Where a stuck process stood: its JavaScript stack and its open libuv handles, from its report. */
function describeReport(file: string): string {
  const report = reportSchema.safeParse(parseJson(readFileSync(file, 'utf8')))
  if (!report.success) return `its diagnostic report is at ${file}`
  const stack = report.data.javascriptStack?.stack
  const where = stack?.length
    ? `its JavaScript stack:\n    ${stack.join('\n    ')}`
    : 'it was idle in its event loop (no JavaScript running), waiting on'
  const handles = new Map<string, number>()
  for (const handle of report.data.libuv ?? []) {
    if (!handle.is_active) continue
    const peer = handle.remoteEndpoint ?? handle.localEndpoint
    const name = peer?.port ? `${handle.type} ${peer.host ?? ''}:${peer.port}` : handle.type
    handles.set(name, (handles.get(name) ?? 0) + 1)
  }
  const listed = [...handles].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name))
  return `${where}\nactive handles: ${listed.join(', ') || 'none'}`
}

/** Each thread's name and kernel wait channel (Linux /proc), e.g. `node: futex_wait_queue`. */
function threadWaits(pid: number | undefined): string {
  if (pid === undefined) return 'unknown (no process id)'
  try {
    const tasks = readdirSync(`/proc/${pid}/task`)
    return tasks
      .map((task) => {
        const read = (name: string) => readFileSync(`/proc/${pid}/task/${task}/${name}`, 'utf8').trim()
        return `${read('comm')}: ${read('wchan') || 'running'}`
      })
      .join(', ')
  } catch {
    return 'unknown (no /proc on this system)'
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
