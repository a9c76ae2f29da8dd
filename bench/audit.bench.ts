// `carepath audit verify` over a large trail: the keyed hash chain recomputed record by record and
// held against the signed checkpoints, in-process and through the CLI (a fresh process reading the
// key file), at BENCH_AUDIT_RECORDS records (1,000,000 by default). The trail is real run
// records: a few hundred ADT runs started through the runtime, their step records then repeated
// (each re-chained under the installation's key, its own sequence number and time) up to the size.
//   pnpm bench audit
// BENCH_AUDIT_DATA=DIR builds the trail into DIR once and keeps it; later runs with the same DIR
// only verify (to time code before and after a change on the same trail).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { registry } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { createRuntime } from '@carepath/runtime'
import { keyedChainHash } from '../apps/runtime/src/audit/audit-record.ts'
import { loadAverage } from './load.ts'
import { publishThroughReview } from './published-flow.ts'

const here = dirname(fileURLToPath(import.meta.url))
const target = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000)
const adt = readFileSync(join(here, '..', 'examples', 'samples', 'hl7', 'simplehl7_adt.hl7'), 'utf8')
  .trim()
  .replace(/\r?\n/g, '\r')

const kept = process.env.BENCH_AUDIT_DATA
const dir = kept ?? mkdtempSync(join(tmpdir(), 'carepath-bench-audit-'))
const built = kept !== undefined && existsSync(join(kept, 'carepath.db'))
if (kept) mkdirSync(kept, { recursive: true })
const rt = await createRuntime({ dataDir: dir, registry, connectors: {} })
if (!built) await buildTrail()
const sql = rt.db.$client

async function buildTrail() {
  const flow = JSON.parse(
    readFileSync(join(here, '..', 'examples', 'hl7-entry', 'adt-registration-hl7.flow.json'), 'utf8'),
  ) as FlowDocument
  await publishThroughReview(rt, flow, { intakeSystem: false })
  const starter = { userId: 'system:bench', username: 'bench', role: 'developer' as const, flowRoles: [] }
  for (let i = 0; i < 300; i++)
    await rt.runs.start(
      {
        flowId: flow.id,
        input: { inbound: { raw: adt.replace('|1817457|', `|A${i}|`), via: 'mllp' } },
        idempotencyKey: `a${i}`,
      },
      starter,
    )

  // Repeat the run records to the size, chained as the audit service chains them.
  const sql = rt.db.$client
  const samples = sql
    .prepare<[], { record: string }>("SELECT record FROM audit_log WHERE record LIKE '%\"run.%' ORDER BY seq")
    .all()
    .map((row) => row.record)
  let last = sql
    .prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')
    .get()
  const insert = sql.prepare('INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?)')
  const base = Date.parse('2026-01-01T00:00:00.000Z')
  const extend = sql.transaction((count: number) => {
    for (let i = 0; i < count && last; i++) {
      const seq = last.seq + 1
      const at = new Date(base + seq).toISOString()
      const template = samples[seq % samples.length] ?? '{}'
      const record = template.replace(/"recorded":"[^"]*"/, `"recorded":${JSON.stringify(at)}`)
      const chained = keyedChainHash(rt.keys.auditChainKey, last.hash, seq, at, record)
      insert.run(seq, at, record, last.hash, chained)
      last = { seq, hash: chained }
    }
  })
  while ((last?.seq ?? 0) < target) extend(Math.min(50_000, target - (last?.seq ?? 0)))
}
const bytes = sql
  .prepare<[], { n: number; bytes: number }>('SELECT count(*) AS n, sum(length(record)) AS bytes FROM audit_log')
  .get()
console.log(
  `trail: ${bytes?.n ?? 0} records, ${((bytes?.bytes ?? 0) / Math.max(1, bytes?.n ?? 1)).toFixed(0)} bytes of record each on average; database ${(statSync(join(dir, 'carepath.db')).size / 1e6).toFixed(0)} MB`,
)

/** Wall seconds and CPU seconds (this process, every thread) of `verify`. */
async function timed<T>(verify: () => T | Promise<T>): Promise<{ result: T; seconds: number; cpu: number }> {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const result = await verify()
  const used = process.cpuUsage(cpu)
  return { result, seconds: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 }
}
const oneThread = await timed(() => rt.audit.verify())
const onThreads = await timed(() => rt.audit.verifyOnThreads())
rt.close()

const cliStarted = performance.now()
const cli = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    join(here, '..', 'apps', 'runtime', 'src', 'cli', 'main.ts'),
    'audit',
    'verify',
    '--data',
    dir,
    '--json',
  ],
  { encoding: 'utf8' },
)
const cliSeconds = (performance.now() - cliStarted) / 1000
const cliResult = JSON.parse(cli.stdout.trim().split('\n').pop() ?? '{}') as { ok?: boolean; checked?: number }

const row = (where: string, checked: number, ok: boolean, seconds: number, cpu: string, goal: string) =>
  `${where.padEnd(26)} ${String(checked).padStart(10)}   ${String(ok).padEnd(5)} ${seconds.toFixed(2).padStart(9)} ${cpu.padStart(7)} ${(checked / seconds).toFixed(0).padStart(11)}   ${goal}`
console.log('\nwhere                         records   ok      seconds   CPU s   records/s   goal')
console.log(
  row(
    'in-process, one thread',
    oneThread.result.checked,
    oneThread.result.ok,
    oneThread.seconds,
    oneThread.cpu.toFixed(2),
    '≤ 5 s at 1M',
  ),
)
console.log(
  row(
    `in-process, ${availableParallelism()} threads`,
    onThreads.result.checked,
    onThreads.result.ok,
    onThreads.seconds,
    onThreads.cpu.toFixed(2),
    '≤ 5 s at 1M',
  ),
)
console.log(
  row(
    'CLI (on threads)',
    cliResult.checked ?? 0,
    cliResult.ok ?? false,
    cliSeconds,
    '',
    '≤ 5 s at 1M (process start included)',
  ),
)
console.log(`load average ${loadAverage()} on ${cpus().length} cores`)
if (!kept) rmSync(dir, { recursive: true, force: true })
