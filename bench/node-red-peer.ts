// Node-RED 4 (from the npm registry, a devDependency of this package) as the HTTP path's peer: a
// child process with a temporary userDir and two flows, http in → function → http response. The
// first's function node makes the same three decisions as the eligibility chain and stores
// nothing (the peer). The second's makes them and stores one row per request, its input
// and outcome under its idempotency key, in SQLite (better-sqlite3, WAL, synchronous NORMAL as
// Carepath's), committed before the answer: what the least durable storage costs a peer.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processCpuMs } from './process-cpu.ts'

/** The path the peer's flow answers on (POST, JSON body `{ input, idempotencyKey }`). */
export const NODE_RED_PATH = '/runs'
/** The path of the flow that also stores a row per request. */
export const NODE_RED_STORING_PATH = '/runs-stored'

// The eligibility chain's decisions (has-insurance, plan-accepted, cost-check) as a function
// node would hold them: the rules of examples/eligibility-verification.flow.json, by hand.
const decisions = `
const input = (msg.payload && msg.payload.input) || {}
const coverage = input.coverage || {}
const eligibility = input.eligibility || {}
let outcome
if (coverage.memberId === undefined || coverage.payerId === undefined) outcome = 'missing-insurance'
else if (typeof coverage.lastVerifiedDaysAgo === 'number' && coverage.lastVerifiedDaysAgo <= 30) outcome = 'verified'
else if (!['GOLD 123 PLAN', 'SILVER 200 PLAN', 'BRONZE 300 PLAN', 'MEDICARE PART B'].includes(eligibility.plan)) outcome = 'reschedule'
else if (eligibility.copay > 50 || eligibility.deductibleRemaining > 500) outcome = 'estimate'
else outcome = 'verified'
`
const decide = `${decisions}
msg.payload = { status: 'completed', outcome }
return msg
`
// The store is settings.js's (functionGlobalContext): one prepared INSERT, an autocommit each.
const decideAndStore = `${decisions}
const result = { status: 'completed', outcome }
global.get('store').insert(msg.payload.idempotencyKey || null, JSON.stringify(input), JSON.stringify(result))
msg.payload = result
return msg
`

/** http in → function → http response on `path`, ids prefixed by `name`. */
const endpoint = (name: string, path: string, func: string) => [
  {
    id: `${name}-in`,
    z: 'bench-tab',
    type: 'http in',
    name,
    url: path,
    method: 'post',
    upload: false,
    wires: [[`${name}-decide`]],
  },
  {
    id: `${name}-decide`,
    z: 'bench-tab',
    type: 'function',
    name,
    func,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    wires: [[`${name}-out`]],
  },
  { id: `${name}-out`, z: 'bench-tab', type: 'http response', name: '', statusCode: '201', headers: {}, wires: [] },
]

const flow = [
  { id: 'bench-tab', type: 'tab', label: 'bench' },
  ...endpoint('three-decisions', NODE_RED_PATH, decide),
  ...endpoint('three-decisions-stored', NODE_RED_STORING_PATH, decideAndStore),
]

/** better-sqlite3 as the runtime has it (the bench itself does not depend on it). */
const betterSqlite3Path = () =>
  createRequire(createRequire(import.meta.url).resolve('@carepath/runtime')).resolve('better-sqlite3')

/** What of better-sqlite3's Database the bench uses, for the one count it reads. */
type OpenSqlite = new (file: string) => {
  pragma(statement: string): unknown
  prepare(sql: string): { get(): { n: number } | undefined }
  close(): void
}

/** The storing flow's rows so far and the bytes its database takes on disk (WAL copied in first). */
export function peerStorage(peer: NodeRedPeer): { rows: number; bytes: number } {
  const Database: OpenSqlite = createRequire(import.meta.url)(betterSqlite3Path())
  const db = new Database(peer.databaseFile)
  try {
    db.pragma('wal_checkpoint(TRUNCATE)')
    const rows = db.prepare('SELECT count(*) AS n FROM runs').get()?.n ?? 0
    const size = (file: string) => (existsSync(file) ? statSync(file).size : 0)
    return { rows, bytes: size(peer.databaseFile) + size(`${peer.databaseFile}-wal`) }
  } finally {
    db.close()
  }
}

/** settings.js: the peer's store (one table, one prepared statement) and nothing else to do. */
function settingsFile(port: number, databaseFile: string): string {
  const betterSqlite3 = betterSqlite3Path()
  // No editor or admin API (httpAdminRoot false), warnings only: the peer does nothing but the flows.
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    httpAdminRoot: false,
    credentialSecret: false,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
  }
  return `const Database = require(${JSON.stringify(betterSqlite3)})
const db = new Database(${JSON.stringify(databaseFile)})
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
db.exec('CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, idempotency_key TEXT UNIQUE, input TEXT NOT NULL, result TEXT NOT NULL, at INTEGER NOT NULL)')
const insert = db.prepare('INSERT INTO runs (idempotency_key, input, result, at) VALUES (?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING')
const store = { insert: (key, input, result) => insert.run(key, input, result, Date.now()) }
module.exports = { ...${JSON.stringify(settings)}, functionGlobalContext: { store } }
`
}

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
  /** The storing flow's SQLite file (rows and bytes are read from it after the load). */
  databaseFile: string
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
  const databaseFile = join(userDir, 'peer.db')
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flow))
  writeFileSync(join(userDir, 'settings.js'), settingsFile(port, databaseFile))
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
  // Ready when both flows answer a run: wait on that condition (generously: the machine is shared).
  const answers = async (path: string) => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: {}, idempotencyKey: `ready-${path}` }),
    })
    return res.status === 201
  }
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited (${child.exitCode}) before it answered`)
    try {
      if ((await answers(NODE_RED_PATH)) && (await answers(NODE_RED_STORING_PATH))) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error('Node-RED did not answer within 120 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { url, version, process: child, databaseFile, stop }
}
