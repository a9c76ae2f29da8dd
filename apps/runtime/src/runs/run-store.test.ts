import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunEvent } from '@carepath/engine'
import { openDb, type Db } from '../db/open-db.ts'
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
const event = (seq: number, type: RunEvent['type']): RunEvent => ({
  seq,
  at: '2026-11-22T11:00:00.000Z',
  type,
  nodeId: `n${seq}`,
  data: { note: `e${seq}` },
})

describe('run store event log', () => {
  it('reads back every event in order, from batch rows and from one-event rows written before batching', () => {
    const db = open()
    const store = createRunStore(db)
    // A log written one row per event (databases from before batch rows).
    const legacy = db.$client.prepare('INSERT INTO run_events (run_id, seq, type, event) VALUES (?, ?, ?, ?)')
    for (const e of [event(0, 'run.started'), event(1, 'node.entered')])
      legacy.run('r1', e.seq, e.type, JSON.stringify(e))
    store.appendEvents('r1', [event(2, 'decision'), event(3, 'node.entered'), event(4, 'node.entered')])
    store.appendEvents('r1', [event(5, 'run.ended')])
    store.appendEvents('r2', [event(0, 'run.started'), event(1, 'node.entered')])
    expect(store.events('r1')).toEqual(
      [0, 1, 2, 3, 4, 5].map((seq, i) =>
        event(
          seq,
          (['run.started', 'node.entered', 'decision', 'node.entered', 'node.entered', 'run.ended'] as const)[i]!,
        ),
      ),
    )
    expect(store.events('r2').map((e) => e.seq)).toEqual([0, 1])
    // Two legacy rows, then one row per write.
    expect(db.$client.prepare("SELECT count(*) AS n FROM run_events WHERE run_id = 'r1'").get()).toEqual({ n: 4 })
  })

  it('commits writes queued in one turn together, and a failing one undoes only its own writes', async () => {
    const db = open()
    const store = createRunStore(db)
    const ok = store.commit(() => store.appendEvents('a', [event(0, 'run.started'), event(1, 'node.entered')]))
    const failing = store.commit(() => {
      store.appendEvents('b', [event(0, 'run.started')])
      throw new Error('refused')
    })
    const alsoOk = store.commit(() => store.appendEvents('c', [event(0, 'run.started')]))
    await expect(failing).rejects.toThrow('refused')
    await ok
    await alsoOk
    expect(store.events('a').map((e) => e.seq)).toEqual([0, 1])
    expect(store.events('b')).toEqual([])
    expect(store.events('c').map((e) => e.seq)).toEqual([0])
    // A lone write commits on its own too.
    await store.commit(() => store.appendEvents('d', [event(0, 'run.started')]))
    expect(store.events('d')).toHaveLength(1)
  })
})
