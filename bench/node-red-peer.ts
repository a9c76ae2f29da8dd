// Node-RED 4 (from the npm registry, a devDependency of this package) as the HTTP path's peer: a
// child process with a temporary userDir and one flow, http in → function → http response, whose
// function node makes the same three decisions as the eligibility chain and stores nothing.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processCpuMs } from './process-cpu.ts'

/** The path the peer's flow answers on (POST, JSON body `{ input, idempotencyKey }`). */
export const NODE_RED_PATH = '/runs'

// The eligibility chain's decisions (has-insurance, plan-accepted, cost-check) as a function
// node would hold them: the rules of examples/eligibility-verification.flow.json, by hand.
const decide = `
const input = (msg.payload && msg.payload.input) || {}
const coverage = input.coverage || {}
const eligibility = input.eligibility || {}
let outcome
if (coverage.memberId === undefined || coverage.payerId === undefined) outcome = 'missing-insurance'
else if (typeof coverage.lastVerifiedDaysAgo === 'number' && coverage.lastVerifiedDaysAgo <= 30) outcome = 'verified'
else if (!['GOLD 123 PLAN', 'SILVER 200 PLAN', 'BRONZE 300 PLAN', 'MEDICARE PART B'].includes(eligibility.plan)) outcome = 'reschedule'
else if (eligibility.copay > 50 || eligibility.deductibleRemaining > 500) outcome = 'estimate'
else outcome = 'verified'
msg.payload = { status: 'completed', outcome }
return msg
`

const flow = [
  { id: 'bench-tab', type: 'tab', label: 'bench' },
  {
    id: 'bench-in',
    z: 'bench-tab',
    type: 'http in',
    name: 'run',
    url: NODE_RED_PATH,
    method: 'post',
    upload: false,
    wires: [['bench-decide']],
  },
  {
    id: 'bench-decide',
    z: 'bench-tab',
    type: 'function',
    name: 'three decisions',
    func: decide,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    wires: [['bench-out']],
  },
  { id: 'bench-out', z: 'bench-tab', type: 'http response', name: '', statusCode: '201', headers: {}, wires: [] },
]

/** A free loopback port (bound once and released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** User + system CPU of a child process so far, ms (Linux /proc; undefined elsewhere). */
export const childCpuMs = (child: ChildProcess): number | undefined => processCpuMs(child.pid)

export interface NodeRedPeer {
  url: string
  version: string
  process: ChildProcess
  stop(): Promise<void>
}

/** Start Node-RED on a loopback port with the bench flow; resolves once the flow answers. */
export async function startNodeRed(): Promise<NodeRedPeer> {
  const require = createRequire(import.meta.url)
  const red = require.resolve('node-red/red.js')
  const { version } = JSON.parse(readFileSync(require.resolve('node-red/package.json'), 'utf8')) as {
    version: string
  }
  const userDir = mkdtempSync(join(tmpdir(), 'carepath-bench-node-red-'))
  const port = await freePort()
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flow))
  // No editor or admin API (httpAdminRoot false), warnings only: the peer does nothing but the flow.
  writeFileSync(
    join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify({
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      httpAdminRoot: false,
      credentialSecret: false,
      logging: { console: { level: 'warn', metrics: false, audit: false } },
      telemetry: { enabled: false },
      diagnostics: { enabled: false },
    })}\n`,
  )
  const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', join(userDir, 'settings.js')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  // A bench that fails mid-run must not leave Node-RED behind holding the port and its stderr.
  const orphanGuard = () => child.kill('SIGKILL')
  process.once('exit', orphanGuard)
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    process.off('exit', orphanGuard)
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(userDir, { recursive: true, force: true })
  }
  // Ready when the flow answers a run: wait on that condition (generously: the machine is shared).
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited (${child.exitCode}) before it answered`)
    try {
      const res = await fetch(url + NODE_RED_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: {} }),
      })
      if (res.status === 201) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error('Node-RED did not answer within 120 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { url, version, process: child, stop }
}
