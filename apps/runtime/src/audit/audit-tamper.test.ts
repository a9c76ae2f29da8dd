// The tamper probes: someone with write access to the database file (but not to the key file or
// the anchor outside it) drops the append-only triggers and changes the trail while the runtime
// is stopped, or while it runs. Every case must be reported by `audit verify`; none may pass.
import { appendFileSync, existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from '../db/open-db.ts'
import { openInstallationKeys } from '../keys/installation-keys.ts'
import { generateKeyFile, KeyStoreError, keyStoreOf } from '../keys/key-store.ts'
import { createRuntime } from '../runtime.ts'
import { sqliteStore } from '../store/open-store.ts'
import { intakeFlow } from '../testing/test-registry.ts'
import { createTestRuntime, publishFlow, type TestRuntime } from '../testing/test-runtime.ts'
import { checkpointPayload, fileAnchor, signCheckpoint } from './audit-checkpoints.ts'
import { chainHash, GENESIS_HASH, keyedChainHash, keyedGenesis } from './audit-record.ts'
import { verifyTrail, type VerifyResult } from './audit-verify.ts'

const files = (dir: string) => ({
  db: join(dir, 'carepath.db'),
  keys: join(dir, 'carepath.keys.json'),
  anchor: join(dir, 'audit-anchor.jsonl'),
})

let open: TestRuntime | undefined
afterEach(async () => {
  await open?.close()
  open = undefined
})

/** A trail with some activity (users, a published flow, three runs), its runtime stopped. */
async function stoppedTrail(): Promise<{ dir: string; count: number }> {
  const t = await createTestRuntime()
  open = t
  await publishFlow(t, intakeFlow())
  for (const k of ['a', 'b', 'c'])
    await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 1 }, idempotencyKey: k })
  const count = (await t.runtime.audit.list({ limit: 1000 })).items.length
  await t.runtime.close() // writes the closing checkpoint
  open = { ...t, close: async () => rmSync(t.dir, { recursive: true, force: true }) }
  return { dir: t.dir, count }
}

/** `audit verify` as the CLI runs it: the database read-only, the keys and anchor from their files. */
async function verifyOffline(dir: string): Promise<VerifyResult> {
  const f = files(dir)
  const db = openDb(f.db, { readonly: true })
  try {
    const store = sqliteStore(db.$client)
    return await verifyTrail(store, await openInstallationKeys(store, f.keys, { readonly: true }), fileAnchor(f.anchor))
  } finally {
    db.$client.close()
  }
}

type Row = { seq: number; at: string; record: string }
/** Edit the file as an attacker would: drop the triggers that refuse it, then change the trail. */
function tamper(dir: string, change: (sql: Database.Database) => void) {
  const sql = new Database(files(dir).db)
  sql.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete')
  sql.transaction(() => change(sql))()
  sql.close()
}
const rows = (sql: Database.Database) =>
  sql.prepare<[], Row>('SELECT seq, at, record FROM audit_log ORDER BY seq').all()

/** Rewrite the whole table as the chain the runtime used to write: plain sha256 from the all-zero start. */
function rebuildFromZero(sql: Database.Database, records: Row[]) {
  sql.prepare('DELETE FROM audit_log').run()
  let prev = GENESIS_HASH
  records.forEach((row, i) => {
    const hash = chainHash(prev, row.record)
    sql
      .prepare('INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?)')
      .run(i + 1, row.at, row.record, prev, hash)
    prev = hash
  })
}

describe('audit tamper probes: every case is detected', () => {
  it('an untouched trail verifies, up to its closing checkpoint', async () => {
    const { dir, count } = await stoppedTrail()
    const result = await verifyOffline(dir)
    expect(result).toMatchObject({ ok: true, checked: count, problems: [], checkpoint: { seq: count } })
  })

  it.each([1, 10])('the tail cut by %i record(s)', async (cut) => {
    const { dir, count } = await stoppedTrail()
    tamper(dir, (sql) => sql.prepare('DELETE FROM audit_log WHERE seq > ?').run(count - cut))
    const result = await verifyOffline(dir)
    expect(result.ok).toBe(false)
    expect(result.checked).toBe(count - cut)
    expect(result.firstBroken).toEqual({
      seq: count - cut + 1,
      reason: expect.stringMatching(
        new RegExp(`ends at record ${count - cut}, but .* covers ${count} records: ${cut} records? w[ae][sr]e? cut`),
      ),
    })
  })

  it('the table emptied', async () => {
    const { dir, count } = await stoppedTrail()
    tamper(dir, (sql) => sql.prepare('DELETE FROM audit_log').run())
    const result = await verifyOffline(dir)
    expect(result).toMatchObject({ ok: false, checked: 0, firstBroken: { seq: 1 } })
    expect(result.firstBroken?.reason).toMatch(
      new RegExp(`trail is empty, but .* covers ${count} records: the table was emptied`),
    )
  })

  it('a record edited and the chain rebuilt from the all-zero start', async () => {
    const { dir } = await stoppedTrail()
    tamper(dir, (sql) => {
      const all = rows(sql)
      all[4]!.record = all[4]!.record.replace('"success"', '"failure"')
      rebuildFromZero(sql, all)
    })
    expect(await verifyOffline(dir)).toMatchObject({
      ok: false,
      checked: 0,
      firstBroken: { seq: 1, reason: expect.stringMatching(/rebuilt from the all-zero start/) },
    })
  })

  it('a record deleted and the chain rebuilt (renumbered) from the all-zero start', async () => {
    const { dir } = await stoppedTrail()
    tamper(dir, (sql) =>
      rebuildFromZero(
        sql,
        rows(sql).filter((r) => r.seq !== 6),
      ),
    )
    const result = await verifyOffline(dir)
    expect(result).toMatchObject({ ok: false, firstBroken: { seq: 1 } })
    // Even leaving aside the chain, the renumbered trail is one short of its checkpoint.
    expect(result.problems.join(' ')).toMatch(/1 record was cut from its end/)
  })

  it('two records swapped and the chain rebuilt from the all-zero start', async () => {
    const { dir } = await stoppedTrail()
    tamper(dir, (sql) => {
      const all = rows(sql)
      ;[all[3], all[4]] = [all[4]!, all[3]!]
      rebuildFromZero(sql, all)
    })
    expect(await verifyOffline(dir)).toMatchObject({ ok: false, firstBroken: { seq: 1 } })
  })

  it('two records swapped in place, their hashes kept', async () => {
    const { dir } = await stoppedTrail()
    tamper(dir, (sql) => {
      const [a, b] = [4, 5].map((seq) =>
        sql.prepare<[number], Row>('SELECT seq, at, record FROM audit_log WHERE seq = ?').get(seq)!,
      )
      sql.prepare('UPDATE audit_log SET record = ?, at = ? WHERE seq = ?').run(b!.record, b!.at, 4)
      sql.prepare('UPDATE audit_log SET record = ?, at = ? WHERE seq = ?').run(a!.record, a!.at, 5)
    })
    expect(await verifyOffline(dir)).toMatchObject({ ok: false, checked: 3, firstBroken: { seq: 4 } })
  })

  it('the at column edited (the record itself untouched)', async () => {
    const { dir } = await stoppedTrail()
    tamper(dir, (sql) => sql.prepare("UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 5").run())
    expect(await verifyOffline(dir)).toMatchObject({
      ok: false,
      checked: 4,
      firstBroken: { seq: 5, reason: expect.stringMatching(/at column \(2020-01-01T00:00:00.000Z\) disagrees/) },
    })
  })

  it('a record edited in the middle, no rebuild', async () => {
    const { dir } = await stoppedTrail()
    tamper(dir, (sql) =>
      sql.prepare(`UPDATE audit_log SET record = replace(record, '"success"', '"failure"') WHERE seq = 3`).run(),
    )
    expect(await verifyOffline(dir)).toMatchObject({
      ok: false,
      firstBroken: { seq: 3, reason: 'its content does not match its hash' },
    })
  })

  it('an insider holding the chain key rebuilds it: the signed checkpoint still tells', async () => {
    const { dir, count } = await stoppedTrail()
    const keys = keyStoreOf(JSON.parse(readFileSync(files(dir).keys, 'utf8')))
    tamper(dir, (sql) => {
      const all = rows(sql)
      all[2]!.record = all[2]!.record.replace('"success"', '"failure"')
      sql.prepare('DELETE FROM audit_log').run()
      let prev = keyedGenesis(keys.auditChainKey, keys.installation)
      for (const row of all) {
        const hash = keyedChainHash(keys.auditChainKey, prev, row.seq, row.at, row.record)
        sql
          .prepare('INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (?, ?, ?, ?, ?)')
          .run(row.seq, row.at, row.record, prev, hash)
        prev = hash
      }
    })
    const result = await verifyOffline(dir)
    expect(result.ok).toBe(false)
    // Named at the first checkpoint at or after the edited record 3 (the last one at the latest).
    expect(result.firstBroken?.reason).toMatch(/rewritten/)
    expect(result.firstBroken?.seq).toBeGreaterThanOrEqual(3)
    expect(result.firstBroken?.seq).toBeLessThanOrEqual(count)
  })

  it('a checkpoint signed with another key is refused', async () => {
    const { dir, count } = await stoppedTrail()
    const foreign = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
    const installation = JSON.parse(readFileSync(files(dir).keys, 'utf8')).installation as string
    // A forger cuts the tail and adds a checkpoint of their own saying the trail ended there.
    tamper(dir, (sql) => sql.prepare('DELETE FROM audit_log WHERE seq > ?').run(count - 2))
    const forged = {
      ...signCheckpoint(foreign, { seq: count - 2, head: 'x', at: '2030-01-01T00:00:00.000Z' }),
      installation,
    }
    forged.signature = foreign.signCheckpoint(checkpointPayload(forged))
    appendFileSync(files(dir).anchor, JSON.stringify(forged) + '\n')
    const result = await verifyOffline(dir)
    expect(result.ok).toBe(false)
    expect(result.problems.join(' ')).toMatch(/not signed by this installation's key/)
    expect(result.problems.join(' ')).toMatch(/2 records were cut from its end/)
  })

  it('the anchor file deleted, or emptied, or a line of it edited', async () => {
    const { dir } = await stoppedTrail()
    const anchor = readFileSync(files(dir).anchor, 'utf8')
    unlinkSync(files(dir).anchor)
    expect((await verifyOffline(dir)).problems.join(' ')).toMatch(/anchor file .* is missing/)
    writeFileSync(files(dir).anchor, '')
    expect((await verifyOffline(dir)).problems.join(' ')).toMatch(/holds no checkpoint/)
    writeFileSync(files(dir).anchor, anchor.replace('"seq":', '"seq":"x",'))
    expect(await verifyOffline(dir)).toMatchObject({ ok: false })
  })

  it('a tail cut while the runtime is stopped stays detected after it restarts and writes more', async () => {
    const { dir, count } = await stoppedTrail()
    tamper(dir, (sql) => sql.prepare('DELETE FROM audit_log WHERE seq > ?').run(count - 1))
    const runtime = await createRuntime({ dbFile: files(dir).db, connectors: {} })
    await runtime.auth.addUser(
      { username: 'late', password: 'a long enough password', role: 'auditor' },
      { who: 't', role: 'system' },
    )
    const live = await runtime.audit.verify()
    await runtime.close()
    expect(live).toMatchObject({ ok: false, firstBroken: { seq: count, reason: expect.stringMatching(/rewritten/) } })
    expect((await verifyOffline(dir)).ok).toBe(false)
  })

  it('a tail cut while the runtime runs is detected once a checkpoint has covered it', async () => {
    const t = await createTestRuntime()
    open = t
    await publishFlow(t, intakeFlow())
    const checkpoint = await t.runtime.audit.checkpoint()
    expect(checkpoint?.seq).toBeGreaterThan(5)
    tamper(t.dir, (sql) => sql.prepare('DELETE FROM audit_log WHERE seq = ?').run(checkpoint!.seq))
    expect(await t.runtime.audit.verify()).toMatchObject({ ok: false, firstBroken: { seq: checkpoint!.seq } })
    expect(await t.as.auditor.audit.verify()).toMatchObject({ ok: false })
  })

  it('a missing key file is refused at start with a plain message, and nothing is replaced', async () => {
    const { dir } = await stoppedTrail()
    const keys = readFileSync(files(dir).keys)
    unlinkSync(files(dir).keys)
    await expect(createRuntime({ dbFile: files(dir).db, connectors: {} })).rejects.toThrow(KeyStoreError)
    await expect(createRuntime({ dbFile: files(dir).db, connectors: {} })).rejects.toThrow(
      /key file .*carepath\.keys\.json is missing\. This database's audit trail and encrypted data need/,
    )
    expect(existsSync(files(dir).keys)).toBe(false)
    // Another installation's key file is refused too.
    writeFileSync(files(dir).keys, JSON.stringify(generateKeyFile({ legacyAuditThrough: 0 })))
    await expect(createRuntime({ dbFile: files(dir).db, connectors: {} })).rejects.toThrow(
      /belongs to another installation/,
    )
    writeFileSync(files(dir).keys, keys)
    expect((await verifyOffline(dir)).ok).toBe(true)
  })

  it('a trail chained before key files existed verifies as legacy and goes on keyed; cutting it is caught', async () => {
    const { dir, count } = await stoppedTrail()
    // Make it look like a database from before key files: plain chain, no key file, no anchor.
    tamper(dir, (sql) => {
      rebuildFromZero(sql, rows(sql))
      sql.prepare("DELETE FROM settings WHERE key IN ('keys.installation', 'audit.checkpoint')").run()
    })
    unlinkSync(files(dir).keys)
    unlinkSync(files(dir).anchor)
    const runtime = await createRuntime({ dbFile: files(dir).db, connectors: {} })
    expect(runtime.keys.legacyAuditThrough).toBe(count)
    await runtime.auth.addUser(
      { username: 'late', password: 'a long enough password', role: 'auditor' },
      { who: 't', role: 'system' },
    )
    expect(await runtime.audit.verify()).toMatchObject({ ok: true, checked: count + 1 })
    await runtime.close()
    tamper(dir, (sql) => sql.prepare('DELETE FROM audit_log WHERE seq > ?').run(count - 3))
    expect(await verifyOffline(dir)).toMatchObject({ ok: false, firstBroken: { seq: count - 2 } })
  })
})
