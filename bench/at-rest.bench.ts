// What the security baseline costs on the write and read paths, side by side with how Carepath
// wrote before it, in one process on one machine: a run's step as the runtime commits it (an
// event batch, a task, an audit record, one transaction) with the event batch and task
// plaintext and the audit chain plain sha256, against sealed (AES-256-GCM, per-run data key)
// and keyed (HMAC chain, signed checkpoints to an anchor file every 1,000 records); then reading
// a run back, and one checkpoint on its own. Figures are printed, never asserted.
//   pnpm bench at-rest            (BENCH_RUNS=5000 by default)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { RunEvent } from '@carepath/engine'
import { fileAnchor } from '../apps/runtime/src/audit/audit-checkpoints.ts'
import { loggedIn } from '../apps/runtime/src/audit/audit-entries.ts'
import { chainHash, GENESIS_HASH } from '../apps/runtime/src/audit/audit-record.ts'
import { createAuditService } from '../apps/runtime/src/audit/audit.service.ts'
import { openDb, type Db } from '../apps/runtime/src/db/open-db.ts'
import { sqliteStore } from '../apps/runtime/src/store/open-store.ts'
import { createDataCipher, PLAINTEXT, type DataCipher } from '../apps/runtime/src/keys/data-cipher.ts'
import { generateKeyFile, keyStoreOf } from '../apps/runtime/src/keys/key-store.ts'
import { createRunStore } from '../apps/runtime/src/runs/run-store.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 5000)

/** A step's events as the eligibility flow writes them: the input with a patient, then a dozen small events. */
function stepEvents(runId: string): RunEvent[] {
  const at = '2026-03-01T09:00:00.000Z'
  const input = {
    appointment: { id: 'SCH-12345', date: '2026-12-01' },
    patient: { mrn: `MRN-${runId}`, firstName: 'John', lastName: 'Smith', birthDate: '1963-05-19', phone: '555-0100' },
    coverage: { payerId: '842610001', memberId: '123456789', planName: 'GOLD 123' },
  }
  const events: object[] = [{ seq: 1, at, type: 'run.started', data: { runId, flowId: 'f', flowHash: 'h', input } }]
  for (let seq = 2; seq <= 12; seq++)
    events.push({ seq, at, type: 'node.entered', nodeId: `n${seq}`, data: { type: 'decision.rules', visit: 1 } })
  // The store writes whatever batch it is given; these are shaped like the engine's events.
  return events as RunEvent[]
}

function plainAudit(db: Db) {
  const last = db.$client.prepare<[], { seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  )
  const insert = db.$client.prepare('INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?)')
  return (record: string) => {
    const prev = last.get()
    const prevHash = prev?.hash ?? GENESIS_HASH
    insert.run((prev?.seq ?? 0) + 1, '2026-03-01T09:00:00.000Z', record, prevHash, chainHash(prevHash, record))
  }
}

async function measure(label: string, mode: 'before' | 'now') {
  const dir = mkdtempSync(join(tmpdir(), `carepath-bench-${mode}-`))
  const db = openDb(join(dir, 'carepath.db'))
  const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
  const onStore = sqliteStore(db.$client)
  const cipher: DataCipher = mode === 'now' ? createDataCipher(onStore, keys) : PLAINTEXT
  const store = createRunStore(onStore, cipher)
  const audit =
    mode === 'now'
      ? createAuditService(onStore, () => new Date(), {
          keys,
          sqlite: db.$client,
          anchor: fileAnchor(join(dir, 'anchor.jsonl')),
          checkpointDelayMs: 60_000,
        })
      : undefined
  const appendPlain = plainAudit(db)
  const record = JSON.stringify(loggedIn({ who: 'agent', role: 'agent' }))
  const step = (runId: string) =>
    onStore.transaction(async () => {
      await store.insertRun({
        id: runId,
        flow_id: 'f',
        hash: 'h',
        status: 'waiting',
        outcome: null,
        idempotency_key: runId,
        started_by: 'agent',
        created_at: '2026-03-01T09:00:00.000Z',
        updated_at: '2026-03-01T09:00:00.000Z',
        event_count: 12,
        wait_until: null,
      })
      await store.appendEvents(runId, stepEvents(runId))
      await store.insertTask({
        id: `t-${runId}`,
        runId,
        flowId: 'f',
        nodeId: 'ask',
        role: 'front-desk',
        request: { title: 'Collect insurance', shows: ['patient.firstName'] },
        at: '2026-03-01T09:00:00.000Z',
      })
      if (audit) await audit.record(loggedIn({ who: 'agent', role: 'agent' }))
      else appendPlain(record)
    })
  const t0 = performance.now()
  for (let i = 0; i < RUNS; i++) {
    await step(`r${i}`)
    // Let timers and microtasks run between steps, as they do between requests in the server.
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve))
  }
  const writeMs = performance.now() - t0
  const t1 = performance.now()
  for (let i = 0; i < RUNS; i++) {
    await store.events(`r${i}`)
    await store.tasksOfRun(`r${i}`)
  }
  const readMs = performance.now() - t1
  let checkpointMs = 0
  if (audit) {
    const c0 = performance.now()
    for (let i = 0; i < 20; i++) {
      await audit.record(loggedIn({ who: 'agent', role: 'agent' }))
      await audit.checkpoint()
    }
    checkpointMs = (performance.now() - c0) / 20
    await audit.close()
  }
  db.$client.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(
    `${label.padEnd(44)} ${(RUNS / (writeMs / 1000)).toFixed(0).padStart(8)} ${((writeMs * 1000) / RUNS).toFixed(0).padStart(8)} ${((readMs * 1000) / RUNS).toFixed(0).padStart(8)}${checkpointMs ? `   ${checkpointMs.toFixed(2)} ms per signed checkpoint (sign + anchor fsync + db)` : ''}`,
  )
  return { writeMs, readMs }
}

console.log(`${RUNS} run steps, each one transaction: run row + 12-event batch + task + audit record\n`)
console.log(`${'storage'.padEnd(44)} ${'steps/s'.padStart(8)} ${'µs/step'.padStart(8)} ${'µs/read'.padStart(8)}`)
await measure('warm-up', 'before')
const before = await measure('before: plaintext, sha256 chain', 'before')
const now = await measure('now: AES-256-GCM sealed, HMAC chain + checkpoints', 'now')
console.log(
  `\ncost: writes ×${(now.writeMs / before.writeMs).toFixed(2)}, reads ×${(now.readMs / before.readMs).toFixed(2)} (same machine, same run; ±20% with load)`,
)
