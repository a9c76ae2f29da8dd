import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RUN_EVENT_VERSION, RunEventFormatError, type RunEvent } from '@carepath/engine'
import { openDb, type Db } from '../db/open-db.ts'
import { createDataCipher } from '../keys/data-cipher.ts'
import { openInstallationKeys } from '../keys/installation-keys.ts'
import { createRunStore } from './run-store.ts'

const dirs: string[] = []
const dbs: Db[] = []
afterEach(() => {
  for (const db of dbs.splice(0)) db.$client.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
function open(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'run-store-'))
  dirs.push(dir)
  const db = openDb(join(dir, 'carepath.db'))
  dbs.push(db)
  return db
}
const event = (seq: number): RunEvent => ({
  seq,
  at: '2026-11-22T11:00:00.000Z',
  type: 'node.entered',
  nodeId: `n${seq}`,
  data: { type: 'test.step', visit: 1 },
})

describe('run store event log', () => {
  it('writes every append as one batch row (a lone event too) and reads the events back in order', () => {
    const db = open()
    const store = createRunStore(db)
    store.appendEvents('r1', [event(0), event(1), event(2)])
    store.appendEvents('r1', [event(3)])
    store.appendEvents('r2', [event(0), event(1)])
    store.appendEvents('r1', [event(4), event(5)])
    expect(store.events('r1')).toEqual([0, 1, 2, 3, 4, 5].map(event))
    expect(store.events('r2').map((e) => e.seq)).toEqual([0, 1])
    const rows = db.$client
      .prepare(
        "SELECT first_seq, last_seq, version, json_array_length(events) AS n FROM run_events WHERE run_id = 'r1'",
      )
      .all()
    expect(rows).toEqual([
      { first_seq: 0, last_seq: 2, version: RUN_EVENT_VERSION, n: 3 },
      { first_seq: 3, last_seq: 3, version: RUN_EVENT_VERSION, n: 1 },
      { first_seq: 4, last_seq: 5, version: RUN_EVENT_VERSION, n: 2 },
    ])
  })

  it('refuses to read a stored event that does not fit the event schema, naming it', () => {
    const db = open()
    const store = createRunStore(db)
    store.appendEvents('r1', [event(0)])
    db.$client
      .prepare('INSERT INTO run_events (run_id, first_seq, last_seq, version, events) VALUES (?, ?, ?, ?, ?)')
      .run('r1', 1, 1, RUN_EVENT_VERSION, JSON.stringify([{ ...event(1), data: { visit: 'twice' } }]))
    expect(() => store.events('r1')).toThrow(RunEventFormatError)
    expect(() => store.events('r1')).toThrow(/event 1 \(node\.entered\), field "0\.data\./)
  })

  it('commits writes queued in one turn together, and a failing one undoes only its own writes', async () => {
    const db = open()
    const store = createRunStore(db)
    const ok = store.commit(() => store.appendEvents('a', [event(0), event(1)]))
    const failing = store.commit(() => {
      store.appendEvents('b', [event(0)])
      throw new Error('refused')
    })
    const alsoOk = store.commit(() => store.appendEvents('c', [event(0)]))
    await expect(failing).rejects.toThrow('refused')
    await ok
    await alsoOk
    expect(store.events('a').map((e) => e.seq)).toEqual([0, 1])
    expect(store.events('b')).toEqual([])
    expect(store.events('c').map((e) => e.seq)).toEqual([0])
    // A lone write commits on its own too.
    await store.commit(() => store.appendEvents('d', [event(0)]))
    expect(store.events('d')).toHaveLength(1)
  })

  it('stores a batch packed and sealed (no patient value in the row) and still reads batches sealed as JSON text', () => {
    const db = open()
    const dir = dirs[dirs.length - 1] as string
    const cipher = createDataCipher(db, openInstallationKeys(db, join(dir, 'carepath.keys.json')))
    const store = createRunStore(db, cipher)
    const started: RunEvent = {
      seq: 0,
      at: '2026-11-22T11:00:00.000Z',
      type: 'run.started',
      data: { runId: 'r1', flowId: 'f', flowHash: 'h', input: { patient: { mrn: 'MRN-CANARY-7731' } } },
    }
    const steps = Array.from({ length: 12 }, (_, i) => event(i + 1))
    store.appendEvents('r1', [started, ...steps])
    const row = db.$client
      .prepare<[], { events: string }>("SELECT events FROM run_events WHERE run_id = 'r1'")
      .get() as { events: string }
    expect(row.events.startsWith('enc1:')).toBe(true)
    expect(row.events).not.toContain('MRN-CANARY-7731')
    // Packed: smaller sealed than the batch's JSON text is.
    expect(row.events.length).toBeLessThan(JSON.stringify([started, ...steps]).length)
    // A batch written before packing: the JSON text sealed as it is.
    const older = [event(13), event(14)]
    db.$client
      .prepare('INSERT INTO run_events (run_id, first_seq, last_seq, version, events) VALUES (?, ?, ?, ?, ?)')
      .run('r1', 13, 14, RUN_EVENT_VERSION, cipher.seal('run:f:2026-11-22', JSON.stringify(older), 'run_events|r1|13'))
    expect(store.events('r1')).toEqual([started, ...steps, ...older])
  })
})
