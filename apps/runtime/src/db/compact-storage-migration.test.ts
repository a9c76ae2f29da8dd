// Migrations 0020 (SQLite) and 0009 (PostgreSQL), which made a run's storage smaller, against a
// database the previous release left: patient references stored as 64 hex digits are found by the
// same identifier afterwards, and a run's batch sealed as text is still read, beside new batches
// sealed as bytes.
import { createHmac } from 'node:crypto'
import { expect } from 'vitest'
import { RUN_EVENT_VERSION, type RunEvent } from '@carepath/engine'
import { runsOfPatient } from '../audit/patient-index.ts'
import { createDataCipher } from '../keys/data-cipher.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import { createRunStore } from '../runs/run-store.ts'
import type { Store } from '../store/store.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { describeMigration } from '../testing/migration-on-both.ts'

const testPostgres = await findTestPostgres()
const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const secret = keys.phiReferenceSecret
/** A reference as the previous release wrote it: the whole HMAC-SHA256, in hex. */
const oldRef = (identifier: string) =>
  createHmac('sha256', secret).update(`carepath-patient\n${identifier.trim()}`).digest('hex')

const started: RunEvent = {
  seq: 0,
  at: '2026-11-22T11:00:00.000Z',
  type: 'run.started',
  data: { runId: 'r1', flowId: 'f', flowHash: 'h', input: { patient: { mrn: 'MRN-1' } } },
}
const entered = (seq: number): RunEvent => ({
  seq,
  at: '2026-11-22T11:00:00.000Z',
  type: 'node.entered',
  nodeId: `n${seq}`,
  data: { type: 'test.start', visit: 1 },
})

/** What the previous release stored: three runs' references and one run's batch sealed as text. */
async function writeOldRows(store: Store): Promise<void> {
  const refs: [string, string][] = [
    ['MRN-1', 'r1'],
    ['MRN-1', 'r2'],
    ['MRN-2', 'r3'],
    ['  MRN-2 ', 'r3'],
  ]
  for (const [identifier, run] of refs)
    await store.sql.run('INSERT INTO patient_refs (ref, run_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [
      oldRef(identifier),
      run,
    ])
  const sealed = await createDataCipher(store, keys).seal(
    'run:f:2026-11-22',
    JSON.stringify([started]),
    'run_events|r1|0',
  )
  await store.sql.run('INSERT INTO run_events (run_id, first_seq, last_seq, version, events) VALUES (?, ?, ?, ?, ?)', [
    'r1',
    0,
    0,
    RUN_EVENT_VERSION,
    sealed,
  ])
}

async function expectMigrated(store: Store): Promise<void> {
  expect(await runsOfPatient(store, secret, 'MRN-1')).toEqual(['r1', 'r2'])
  expect(await runsOfPatient(store, secret, 'MRN-2')).toEqual(['r3'])
  expect(await runsOfPatient(store, secret, 'MRN-3')).toEqual([])
  const runs = createRunStore(store, createDataCipher(store, keys))
  expect(await runs.events('r1')).toEqual([started])
  await runs.appendEvents('r1', [entered(1)])
  expect(await runs.events('r1')).toEqual([started, entered(1)])
  const stored = await store.sql.all<{ events: unknown }>('SELECT events FROM run_events ORDER BY first_seq')
  expect(stored.map((r) => Buffer.isBuffer(r.events))).toEqual([store.dialect === 'postgres', true])
}

describeMigration(
  {
    migration: 'the compact run storage migration',
    test: 'keeps every patient reference findable (on SQLite in a table without a rowid) and old batches readable',
    before: { sqlite: 18, postgres: 7 },
    writeOld: writeOldRows,
    async check(store) {
      await expectMigrated(store)
      if (store.dialect !== 'sqlite') return
      const table = await store.sql.get<{ sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'patient_refs'")
      expect(table?.sql).toMatch(/WITHOUT ROWID/)
      expect(await store.sql.get("SELECT name FROM sqlite_schema WHERE name = 'patient_refs_run'")).toBeUndefined()
    },
  },
  testPostgres,
)
