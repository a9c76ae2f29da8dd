// Migration 0004 (one stored encoding for the run event log) against a database written the old
// way: rows of one event (a JSON object under its own seq and type) and batch rows (type 'batch',
// a JSON array under its first event's seq). After the database opens and migrates, every run
// folds to the same state and has the same trace as the log that was written.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { afterEach, describe, expect, it } from 'vitest'
import { validateFlow } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { caseDeps, foldEvents, parseSuite, startRun, traceOf, type RunEvent } from '@carepath/engine'
import { openDb } from '../db/open-db.ts'
import { sqliteStore } from '../store/open-store.ts'
import { migrationsUpTo } from '../testing/migrations-up-to.ts'
import { createRunStore } from './run-store.ts'

const examplesDir = fileURLToPath(new URL('../../../../examples', import.meta.url))

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Logs of real runs: the first cases of a few example flows, with tasks, connectors and decisions. */
async function exampleLogs(): Promise<RunEvent[][]> {
  const logs: RunEvent[][] = []
  const names = readdirSync(examplesDir).filter((n) => n.endsWith('.flow.json'))
  for (const name of names.slice(0, 4)) {
    const result = validateFlow(JSON.parse(readFileSync(join(examplesDir, name), 'utf8')), registry)
    const suite = parseSuite(
      JSON.parse(readFileSync(join(examplesDir, name.replace('.flow.json', '.suite.json')), 'utf8')),
    )
    if (!result.valid || !result.document || !suite.ok) throw new Error(`${name} or its suite does not load`)
    for (const c of suite.suite.cases.slice(0, 3)) {
      const { deps, autopilot } = caseDeps(c, { registry })
      logs.push((await startRun(result.document, c.input, deps, { runId: `${name}:${c.id}`, autopilot })).events)
    }
  }
  return logs
}

/**
 * Rows as the old writer left them: the first two events one row each (databases from before
 * batch rows), then a connector event alone in its row (it was flushed on its own) and every
 * other stretch of events as one batch row.
 */
function oldRows(events: readonly RunEvent[]): { seq: number; type: string; event: string }[] {
  const rows: { seq: number; type: string; event: string }[] = []
  let batch: RunEvent[] = []
  const flush = () => {
    const first = batch[0]
    if (!first) return
    rows.push(
      batch.length === 1
        ? { seq: first.seq, type: first.type, event: JSON.stringify(first) }
        : { seq: first.seq, type: 'batch', event: JSON.stringify(batch) },
    )
    batch = []
  }
  for (const event of events) {
    batch.push(event)
    if (event.seq < 2 || event.type === 'connector.request' || event.type === 'connector.response') flush()
  }
  flush()
  return rows
}

describe('migration 0004: one stored encoding for run events', () => {
  it('opens a database of one-event and batch rows, and every run folds to the same state and trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-events-migration-'))
    dirs.push(dir)
    const file = join(dir, 'carepath.db')
    const logs = await exampleLogs()

    // The database as the previous release left it: migrated up to 0003, the log in the old encoding.
    const old = new Database(file)
    migrate(drizzle(old), { migrationsFolder: migrationsUpTo(dir, 3) })
    const insert = old.prepare('INSERT INTO run_events (run_id, seq, type, event) VALUES (?, ?, ?, ?)')
    const kinds = new Set<string>()
    for (const log of logs) {
      const runId = (log[0] as RunEvent & { type: 'run.started' }).data.runId
      for (const row of oldRows(log)) {
        insert.run(runId, row.seq, row.type, row.event)
        kinds.add(row.type === 'batch' ? 'batch' : 'single')
      }
    }
    old.close()
    expect([...kinds].sort()).toEqual(['batch', 'single'])

    const db = openDb(file)
    try {
      const store = createRunStore(sqliteStore(db.$client))
      for (const log of logs) {
        const runId = (log[0] as RunEvent & { type: 'run.started' }).data.runId
        const events = await store.events(runId)
        expect(traceOf(events)).toBe(traceOf(log))
        expect(foldEvents(events)).toEqual(foldEvents(log))
      }
      // Every row now says which events it holds and in which format version.
      const rows = db.$client
        .prepare(
          'SELECT first_seq AS first, last_seq AS last, version, events FROM run_events ORDER BY run_id, first_seq',
        )
        .all() as { first: number; last: number; version: number; events: string }[]
      expect(rows.length).toBeGreaterThan(logs.length)
      for (const row of rows) {
        const seqs = (JSON.parse(row.events) as RunEvent[]).map((e) => e.seq)
        expect([row.first, row.last, row.version]).toEqual([seqs[0], seqs[seqs.length - 1], 1])
      }
      // The log is still append-only, and new batches go in beside the migrated ones.
      expect(() => db.$client.prepare('DELETE FROM run_events').run()).toThrow(/append-only/)
      expect(() => db.$client.prepare('UPDATE run_events SET version = 2').run()).toThrow(/append-only/)
      const first = logs[0] as RunEvent[]
      const runId = (first[0] as RunEvent & { type: 'run.started' }).data.runId
      const next: RunEvent = {
        seq: first.length,
        at: '2026-12-01T00:00:00.000Z',
        type: 'node.entered',
        nodeId: 'x',
        data: { type: 't', visit: 1 },
      }
      await store.appendEvents(runId, [next])
      expect(await store.events(runId)).toEqual([...first, next])
    } finally {
      db.$client.close()
    }
  })
})
