// `audit verify` on worker threads gives the result of one walk in this thread, byte for byte,
// whatever the number of threads and wherever the stretches are cut: the records checked, the
// first broken record and its reason, and every problem, for an intact trail and tampered ones.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from '../db/open-db.ts'
import { openInstallationKeys } from '../keys/installation-keys.ts'
import { sqliteStore } from '../store/open-store.ts'
import { intakeFlow } from '../testing/test-registry.ts'
import { createTestRuntime, publishFlow } from '../testing/test-runtime.ts'
import { fileAnchor } from './audit-checkpoints.ts'
import { verifyTrail, verifyTrailOnThreads, type VerifyResult } from './audit-verify.ts'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A trail of some activity (users, a published flow, runs), its runtime stopped. */
async function stoppedTrail(): Promise<{ dir: string; count: number }> {
  const t = await createTestRuntime()
  await publishFlow(t, intakeFlow())
  for (const k of ['a', 'b', 'c', 'd'])
    await t.as.agent.runs.start({ flowId: 'intake-check', input: { score: 1 }, idempotencyKey: k })
  const count = (await t.runtime.audit.list({ limit: 1000 })).items.length
  await t.runtime.close()
  dirs.push(t.dir)
  return { dir: t.dir, count }
}

/** Change the file as an attacker would: drop the triggers that refuse it, then change the trail. */
function tamper(dir: string, change: (sql: Database.Database) => void): void {
  const sql = new Database(join(dir, 'carepath.db'))
  sql.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete')
  sql.transaction(() => change(sql))()
  sql.close()
}

/** The one-thread verdict, after checking that 1, 2 and 3 threads (workers alone or beside this one) over stretches of 1, 2 and 5 records give it too. */
async function verifyEveryWay(dir: string): Promise<VerifyResult> {
  const db = openDb(join(dir, 'carepath.db'), { readonly: true })
  try {
    const store = sqliteStore(db.$client)
    const keys = await openInstallationKeys(store, join(dir, 'carepath.keys.json'), { readonly: true })
    const anchor = fileAnchor(join(dir, 'audit-anchor.jsonl'))
    const single = await verifyTrail(store, keys, anchor)
    // Workers alone (this thread would walk a small trail before they are up), and beside this thread.
    for (const [threads, stretchRecords, thisThread] of [
      [1, 2, true],
      [1, 1, false],
      [2, 5, false],
      [3, 2, false],
      [2, 1, true],
    ] as const) {
      const threaded = await verifyTrailOnThreads(store, keys, anchor, {
        file: join(dir, 'carepath.db'),
        threads,
        stretchRecords,
        thisThread,
        minRecords: 0,
      })
      expect({ threads, stretchRecords, thisThread, result: threaded }).toEqual({
        threads,
        stretchRecords,
        thisThread,
        result: single,
      })
    }
    return single
  } finally {
    db.$client.close()
  }
}

const setRecord = (seq: number, edit: (record: string) => string) => (sql: Database.Database) => {
  const row = sql.prepare<[number], { record: string }>('SELECT record FROM audit_log WHERE seq = ?').get(seq)
  sql.prepare('UPDATE audit_log SET record = ? WHERE seq = ?').run(edit(row?.record ?? ''), seq)
}

describe('audit verify on worker threads', () => {
  it('an intact trail: every record checked, as in one thread', async () => {
    const { dir, count } = await stoppedTrail()
    expect(await verifyEveryWay(dir)).toMatchObject({ ok: true, checked: count, problems: [] })
  })

  it('records edited in two places: the first one is named, with the records before it checked', async () => {
    const { dir } = await stoppedTrail()
    tamper(dir, (sql) => {
      setRecord(9, (r) => r.replace('"success"', '"failure"'))(sql)
      setRecord(5, (r) => r.replace('"success"', '"failure"'))(sql)
    })
    const result = await verifyEveryWay(dir)
    expect(result).toMatchObject({ ok: false, checked: 4, firstBroken: { seq: 5 } })
    expect(result.problems[0]).toBe('Record 5: its content does not match its hash.')
  })

  it('a record deleted from the middle', async () => {
    const { dir } = await stoppedTrail()
    tamper(dir, (sql) => sql.prepare('DELETE FROM audit_log WHERE seq = 6').run())
    expect(await verifyEveryWay(dir)).toMatchObject({
      ok: false,
      checked: 5,
      firstBroken: { seq: 6, reason: 'record 6 is missing' },
    })
  })

  it('an edited at column, and the tail cut', async () => {
    const { dir, count } = await stoppedTrail()
    tamper(dir, (sql) => {
      sql.prepare("UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 7").run()
      sql.prepare('DELETE FROM audit_log WHERE seq > ?').run(count - 2)
    })
    const result = await verifyEveryWay(dir)
    expect(result).toMatchObject({ ok: false, checked: 6, firstBroken: { seq: 7 } })
    expect(result.problems.join('\n')).toMatch(/2 records were cut from its end/)
  })

  it('a link replaced in the last record', async () => {
    const { dir, count } = await stoppedTrail()
    tamper(dir, (sql) => sql.prepare("UPDATE audit_log SET prev_hash = 'x' WHERE seq = ?").run(count))
    expect(await verifyEveryWay(dir)).toMatchObject({
      ok: false,
      checked: count - 1,
      firstBroken: { seq: count, reason: 'its link to the previous record does not match' },
    })
  })
})
