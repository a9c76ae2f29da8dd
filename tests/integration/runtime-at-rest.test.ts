// Encryption at rest, checked as someone who copies the files would: canary PHI goes in through
// run input, a task, an HL7 message over MLLP, a kept reply for a waiting run and a test case; then the database file, its WAL and the inbound
// message store are searched byte for byte, and none of it is there. The runtime still reads it
// all back; a damaged or moved ciphertext is refused whole; a shredded key makes a run unreadable.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestRuntime, intakeFlow, intakeSuite, publishFlow, type TestRuntime } from '@carepath/runtime/testing'
import { sendMllp, startRuntimeHl7Listener, type MllpListener } from '../../apps/runtime/src/integrations/index.ts'
import { sealedKeyId } from '../../apps/runtime/src/keys/data-cipher.ts'

const NAME = 'Quillon Canaryvale'
const SSN = '912-44-7781'
const MRN = 'MRN-CANARY-55821'
const HL7 = [
  `MSH|^~\\&|LAB|FAC|EHR|FAC|20260301090000||ORU^R01|CANARY-1|P|2.5`,
  `PID|1||${MRN}^^^FAC^MR||Canaryvale^Quillon||19630519|F`,
  `OBX|1|NM|2345-7^Glucose||182|mg/dL|70-99|H|||F`,
].join('\r')

let t: TestRuntime
let listener: MllpListener
let runId = ''
const files = () => ['carepath.db', 'carepath.db-wal'].map((name) => join(t.dir, name))
/** Every canary found in the files, as `file: canary` lines. */
function canariesOnDisk(): string[] {
  const found: string[] = []
  for (const file of files()) {
    if (!existsSync(file)) continue
    const bytes = readFileSync(file)
    for (const canary of [NAME, 'Canaryvale', SSN, MRN])
      for (const encoding of ['utf8', 'utf16le'] as const)
        if (bytes.includes(Buffer.from(canary, encoding))) found.push(`${file}: ${canary} (${encoding})`)
  }
  return found
}

beforeAll(async () => {
  t = await createTestRuntime()
  // Keep every page in the WAL while the test looks (the default checkpoint would move them).
  t.runtime.db.$client.pragma('wal_autocheckpoint = 0')
  await publishFlow(t, intakeFlow())
  const run = await t.as.agent.runs.start({
    flowId: 'intake-check',
    input: { score: 9, patient: { name: NAME, ssn: SSN } },
    idempotencyKey: 'at-rest-1',
  })
  runId = run.id
  // A test case imported from a run carries what the analyst could see of it: sealed too.
  const { draft } = await t.as.analyst.flows.get({ id: 'intake-check' })
  const imported = { id: 'from-a-run', input: { score: 9, patient: { name: NAME } }, expect: { outcome: 'approved' } }
  await t.as.analyst.flows.save({
    id: 'intake-check',
    document: intakeFlow(),
    baseRevision: draft.revision,
    suite: { ...intakeSuite, cases: [...intakeSuite.cases, imported] },
  })
  listener = await startRuntimeHl7Listener(t.runtime, { port: 0, dataDir: t.dir })
  const acks = await sendMllp(listener.port, [HL7])
  expect(acks).toHaveLength(1)
  // A reply no run waits for yet is kept: its correlation key and payload are patient data too.
  const kept = await t.runtime.events.deliver({
    name: 'sms-reply',
    key: MRN,
    payload: { from: NAME, text: `C ${SSN}` },
    messageId: 'sms-canary-1',
    source: 'api',
  })
  expect(kept.status).toBe('pending')
})
afterAll(async () => {
  await listener?.close()
  await t.close()
})

describe('PHI at rest', () => {
  it('is nowhere in the database file or its WAL (the inbound HL7 messages included), while the runtime runs', async () => {
    expect(existsSync(join(t.dir, 'carepath.db-wal'))).toBe(true)
    const stored = await t.runtime.store.sql.all<{ sealed: string }>('SELECT sealed FROM hl7_messages')
    expect(stored).toHaveLength(1)
    expect(canariesOnDisk()).toEqual([])
  })

  it('is still read back by the runtime for those who may see it', async () => {
    const suite = await t.as.analyst.flows.suite({ id: 'intake-check' })
    expect(JSON.stringify(suite)).toContain(NAME)
    const [task] = await t.as.agent.tasks.inbox()
    expect(JSON.stringify(task)).toContain(NAME)
    const run = await t.as.auditor.runs.get({ id: runId })
    expect(run.status).toBe('waiting')
  })

  it('is nowhere after a checkpoint folds the WAL into the database file either', () => {
    t.runtime.db.$client.pragma('wal_checkpoint(TRUNCATE)')
    expect(canariesOnDisk()).toEqual([])
  })

  it('refuses a ciphertext that was edited or moved to another row, and decrypts nothing of it', async () => {
    const sql = t.runtime.db.$client
    const row = sql.prepare<[string], { events: Buffer }>('SELECT events FROM run_events WHERE run_id = ?').get(runId)!
    expect(sealedKeyId(row.events)).toMatch(/^run:intake-check:/)
    // One bit of the ciphertext (the last byte) flipped.
    const flipped = Buffer.from(row.events)
    flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1
    sql.exec('DROP TRIGGER run_events_no_update')
    sql.prepare('UPDATE run_events SET events = ? WHERE run_id = ?').run(flipped, runId)
    await expect(t.as.auditor.runs.get({ id: runId })).rejects.toThrow()
    sql.prepare('UPDATE run_events SET events = ? WHERE run_id = ?').run(row.events, runId)
    expect((await t.as.auditor.runs.get({ id: runId })).status).toBe('waiting')
  })

  it('rotates the key-encryption key while running: every data key re-wrapped, the old KEK gone, data still read', async () => {
    const keyFile = join(t.dir, 'carepath.keys.json')
    const before = JSON.parse(readFileSync(keyFile, 'utf8')) as { keks: { id: string }[] }
    const rotated = await t.as.admin.security.rotateKeys()
    const after = JSON.parse(readFileSync(keyFile, 'utf8')) as { keks: { id: string }[] }
    expect(after.keks.map((k) => k.id)).toEqual([rotated.kek])
    expect(rotated.kek).not.toBe(before.keks[0]!.id)
    expect(rotated.dataKeys).toBeGreaterThanOrEqual(2) // the run's day and the inbound store's day
    const wrapped = t.runtime.db.$client.prepare<[], { wrapped: string }>('SELECT wrapped FROM data_keys').all()
    expect(wrapped.every((k) => k.wrapped.startsWith(`${rotated.kek}:`))).toBe(true)
    expect(JSON.stringify(await t.as.agent.tasks.inbox())).toContain(NAME)
  })

  it('makes a run unreadable for good once its data key is shredded', async () => {
    // Runs are sealed under one key per flow and day they started (retention shreds a day at once).
    const run = await t.as.auditor.runs.get({ id: runId })
    const day = t.runtime.now().toISOString().slice(0, 10)
    expect(run.flowId).toBe('intake-check')
    expect(await t.runtime.cipher.shred(`run:intake-check:${day}`, new Date().toISOString())).toBe(true)
    await expect(t.as.auditor.runs.get({ id: runId })).rejects.toThrow()
  })
})
