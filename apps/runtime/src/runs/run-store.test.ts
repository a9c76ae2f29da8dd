import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { contentHash, type JsonValue } from '@carepath/dsl'
import { RUN_EVENT_VERSION, RunEventFormatError, type RunEvent } from '@carepath/engine'
import { createDataCipher, sealedKeyId } from '../keys/data-cipher.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import { isUniqueViolation } from '../store/sql-executor.ts'
import { intakeFlow } from '../testing/test-registry.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { needsRunDictionary } from './event-batch-codec.ts'
import { createRunStore, type RunRow } from './run-store.ts'

const event = (seq: number): RunEvent => ({
  seq,
  at: '2026-11-22T11:00:00.000Z',
  type: 'node.entered',
  nodeId: `n${seq}`,
  data: { type: 'test.step', visit: 1 },
})
const runRow = (id: string, key: string): RunRow => ({
  id,
  flow_id: 'f',
  hash: 'h',
  status: 'running',
  outcome: null,
  idempotency_key: key,
  started_by: 'tester',
  created_at: '2026-11-22T11:00:00.000Z',
  updated_at: '2026-11-22T11:00:00.000Z',
  event_count: 1,
  wait_until: null,
})
/** A run's first event: `flowHash` is the version the run is on. */
const startedEvent = (
  runId: string,
  input: { [key: string]: JsonValue } = {},
  flowHash = 'h',
  flowId = 'f',
): RunEvent => ({
  seq: 0,
  at: '2026-11-22T11:00:00.000Z',
  type: 'run.started',
  data: { runId, flowId, flowHash, input },
})
const insertBatch = 'INSERT INTO run_events (run_id, first_seq, last_seq, version, events) VALUES (?, ?, ?, ?, ?)'

describeOnEachStore('run store event log', (backend) => {
  let opened: OpenedStore
  beforeEach(async () => {
    opened = await backend.open('run-store')
  })
  afterEach(() => opened.dispose())
  const sealingCipher = () => createDataCipher(opened.store, keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 })))

  it('writes every append as one batch row (a lone event too) and reads the events back in order', async () => {
    const store = createRunStore(opened.store)
    await store.appendEvents('r1', [event(0), event(1), event(2)])
    await store.appendEvents('r1', [event(3)])
    await store.appendEvents('r2', [event(0), event(1)])
    await store.appendEvents('r1', [event(4), event(5)])
    expect(await store.events('r1')).toEqual([0, 1, 2, 3, 4, 5].map(event))
    expect((await store.events('r2')).map((e) => e.seq)).toEqual([0, 1])
    const rows = await opened.store.sql.all<{ first_seq: number; last_seq: number; version: number; events: string }>(
      "SELECT first_seq, last_seq, version, events FROM run_events WHERE run_id = 'r1' ORDER BY first_seq",
    )
    expect(rows.map((row) => [row.first_seq, row.last_seq, row.version, JSON.parse(row.events).length])).toEqual([
      [0, 2, RUN_EVENT_VERSION, 3],
      [3, 3, RUN_EVENT_VERSION, 1],
      [4, 5, RUN_EVENT_VERSION, 2],
    ])
  })

  it('refuses to read a stored event that does not fit the event schema, naming it', async () => {
    const store = createRunStore(opened.store)
    await store.appendEvents('r1', [event(0)])
    await opened.store.sql.run(insertBatch, [
      'r1',
      1,
      1,
      RUN_EVENT_VERSION,
      JSON.stringify([{ ...event(1), data: { visit: 'twice' } }]),
    ])
    await expect(store.events('r1')).rejects.toThrow(RunEventFormatError)
    await expect(store.events('r1')).rejects.toThrow(/event 1 \(node\.entered\), field "0\.data\./)
  })

  it('commits writes queued in one turn together, and a failing one undoes only its own writes', async () => {
    const store = createRunStore(opened.store)
    const ok = store.commit(() => store.appendEvents('a', [event(0), event(1)]))
    const failing = store.commit(async () => {
      await store.appendEvents('b', [event(0)])
      throw new Error('refused')
    })
    const alsoOk = store.commit(() => store.appendEvents('c', [event(0)]))
    await expect(failing).rejects.toThrow('refused')
    await ok
    await alsoOk
    expect((await store.events('a')).map((e) => e.seq)).toEqual([0, 1])
    expect(await store.events('b')).toEqual([])
    expect((await store.events('c')).map((e) => e.seq)).toEqual([0])
    // A lone write commits on its own too.
    await store.commit(() => store.appendEvents('d', [event(0)]))
    expect(await store.events('d')).toHaveLength(1)
  })

  it('commits the writes queued after a failing first write of a batch, without it', async () => {
    const store = createRunStore(opened.store)
    const failing = store.commit(
      async () => {
        await store.appendEvents('first', [event(0)])
        throw new Error('refused')
      },
      { row: runRow('first', 'k-first'), lease: null },
    )
    const ok = store.commit(() => store.appendEvents('second', [event(0)]), {
      row: runRow('second', 'k-second'),
      lease: null,
    })
    const alsoOk = store.commit(() => store.appendEvents('third', [event(0), event(1)]))
    await expect(failing).rejects.toThrow('refused')
    await ok
    await alsoOk
    expect(await store.runById('first')).toBeUndefined()
    expect(await store.events('first')).toEqual([])
    expect((await store.events('second')).map((e) => e.seq)).toEqual([0])
    expect((await store.runById('second'))?.idempotency_key).toBe('k-second')
    expect((await store.events('third')).map((e) => e.seq)).toEqual([0, 1])
  })

  it('refuses a second run with one idempotency key in a group commit as a duplicate, and commits the rest', async () => {
    const store = createRunStore(opened.store)
    let secondWorked = false
    const first = store.commit(() => store.appendEvents('a', [event(0)]), { row: runRow('a', 'same key'), lease: null })
    const second = store.commit(
      async () => {
        secondWorked = true
      },
      { row: runRow('b', 'same key'), lease: null },
    )
    const other = store.commit(() => store.appendEvents('c', [event(0)]), {
      row: runRow('c', 'other key'),
      lease: null,
    })
    await first
    const refused = await second.then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isUniqueViolation(refused)).toBe(true)
    // A write whose run's row was refused does not run at all.
    expect(secondWorked).toBe(false)
    await other
    expect(await store.runById('b')).toBeUndefined()
    expect(await store.events('c')).toHaveLength(1)
    expect((await store.runByKey('same key'))?.id).toBe('a')
    expect((await store.runById('c'))?.idempotency_key).toBe('other key')
  })

  it('undoes a write that failed after its new run row, row and all, and commits the rest', async () => {
    const store = createRunStore(opened.store)
    const ok = store.commit(() => store.appendEvents('kept', [event(0)]), {
      row: runRow('kept', 'k-kept'),
      lease: null,
    })
    const failing = store.commit(
      async () => {
        await store.appendEvents('undone', [event(0)])
        await opened.store.sql.run('UPDATE runs SET outcome = ? WHERE id = ?', ['half-way', 'kept'])
        throw new Error('refused after the row')
      },
      { row: runRow('undone', 'k-undone'), lease: null },
    )
    const [kept, undone] = await Promise.allSettled([ok, failing])
    expect(undone.status).toBe('rejected')
    expect(await store.runById('undone')).toBeUndefined()
    expect(await store.events('undone')).toEqual([])
    // The key is free again: a retry with it starts its run.
    await store.insertRun(runRow('retried', 'k-undone'))
    expect(kept.status).toBe('fulfilled')
    expect((await store.runById('kept'))?.outcome).toBeNull()
    expect(await store.events('kept')).toHaveLength(1)
  })

  it('lets one of two processes write a run’s next batch, and refuses the other', async () => {
    const first = createRunStore(opened.store)
    const second = createRunStore(await opened.another())
    await first.insertRun(runRow('r1', 'k1'))
    await first.appendEvents('r1', [event(0)])
    // Both read the run at one event and step it: the same next seq, and the same expected count.
    const a = first.commit(async () => {
      await first.appendEvents('r1', [event(1)])
      await first.updateRun('r1', { status: 'running' }, 2, '2026-11-22T11:00:01.000Z', 1, null)
    })
    const b = second.commit(async () => {
      await second.appendEvents('r1', [event(1)])
      await second.updateRun('r1', { status: 'running' }, 2, '2026-11-22T11:00:01.000Z', 1, null)
    })
    const settled = await Promise.allSettled([a, b])
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1)
    expect((await first.events('r1')).map((e) => e.seq)).toEqual([0, 1])
    expect((await first.runById('r1'))?.event_count).toBe(2)
  })

  it('lends a run to one process at a time, and to another once that lease has run out', async () => {
    const first = createRunStore(opened.store)
    const second = createRunStore(await opened.another())
    await first.insertRun(runRow('r1', 'k1'))
    const at = (s: number) => `2026-11-22T11:00:${String(s).padStart(2, '0')}.000Z`
    const claims = await Promise.all([
      first.claimRun('r1', { owner: 'a', until: at(30) }, at(0)),
      second.claimRun('r1', { owner: 'b', until: at(30) }, at(0)),
    ])
    if (backend.name === 'SQLite') {
      // One process serves a SQLite file: a lease there is always this process's own (or a dead
      // earlier life's), so the run is everyone's to take, and abandoned while running.
      expect(claims).toEqual([true, true])
      expect((await first.abandonedRuns(at(10))).map((r) => r.id)).toEqual(['r1'])
      return
    }
    expect(claims.filter(Boolean)).toHaveLength(1)
    const holder = claims[0] ? 'a' : 'b'
    const other = holder === 'a' ? 'b' : 'a'
    // Running, leased: not abandoned while the lease lives; abandoned after it.
    expect(await first.abandonedRuns(at(10))).toEqual([])
    expect((await first.abandonedRuns(at(31))).map((r) => r.id)).toEqual(['r1'])
    expect(await second.claimRun('r1', { owner: other, until: at(50) }, at(20))).toBe(false)
    expect(await second.claimRun('r1', { owner: other, until: at(59) }, at(31))).toBe(true)
    // The old holder cannot give back what is no longer its own.
    await first.releaseRun('r1', holder)
    expect(await first.claimRun('r1', { owner: holder, until: at(59) }, at(32))).toBe(false)
    await first.releaseRun('r1', other)
    expect(await first.claimRun('r1', { owner: holder, until: at(59) }, at(32))).toBe(true)
  })

  it('answers the start lookups asked while one is on its way in one statement, each with its own run and flow', async () => {
    const store = createRunStore(opened.store)
    for (const [id, status, published] of [
      ['intake', 'published', 'h1'],
      ['odd "id"\nwith a line break', 'retired', null],
    ] as const)
      await opened.store.sql.run(
        `INSERT INTO flows (id, title, status, draft_revision, draft_hash, draft_author, updated_at, updated_by, published_hash)
         VALUES (?, 't', ?, 1, 'h', 'a', 'now', 'a', ?)`,
        [id, status, published],
      )
    await store.insertRun({ ...runRow('r1', 'u:used'), flow_id: 'intake' })
    const statements = vi.spyOn(opened.store.sql, 'all')
    const asked: [flowId: string, key: string][] = [
      ['intake', 'u:new'],
      ['intake', 'u:used'],
      ['no such flow', 'u:used'],
      ['odd "id"', 'with a line break\nu:new'],
      ['odd "id"\nwith a line break', 'u:new'],
      ['intake', 'u:new'],
    ]
    const found = await Promise.all(asked.map(([flowId, key]) => store.startLookup(flowId, key)))
    // The first alone; the rest together, and the row of the one run a key had started.
    expect(statements).toHaveBeenCalledTimes(3)
    const used = expect.objectContaining({ id: 'r1', idempotency_key: 'u:used' })
    const intake = { id: 'intake', status: 'published', published_hash: 'h1' }
    expect(found).toEqual([
      { flow: intake },
      { existing: used, flow: intake },
      { existing: used },
      {},
      { flow: { id: 'odd "id"\nwith a line break', status: 'retired', published_hash: null } },
      { flow: intake },
    ])
  })

  it("looks a start's key up through the runs index, however small the table was when the plan was made", async () => {
    // PostgreSQL keeps a prepared statement's generic plan until the table's statistics change: a
    // plan made while the runs table was new and small must still probe the index once it is large.
    const store = createRunStore(opened.store)
    const sql = opened.store.sql
    // A new installation: one flow and its first few runs, nothing analyzed yet.
    await sql.run(
      `INSERT INTO flows (id, title, status, draft_revision, draft_hash, draft_author, updated_at, updated_by, published_hash)
       VALUES ('intake', 't', 'published', 1, 'h', 'a', 'now', 'a', 'h1')`,
    )
    for (let i = 0; i < 30; i++) await store.insertRun({ ...runRow(`r${i}`, `u:${i}`), flow_id: 'intake' })
    const statements = vi.spyOn(sql, 'all')
    await Promise.all(['u:a', 'u:b', 'u:c'].map((key) => store.startLookup('intake', key)))
    // The first goes alone; the other two together, in the statement looked at here.
    const [text, params = []] = statements.mock.calls[1] ?? ['']
    statements.mockRestore()
    const plan =
      sql.dialect === 'postgres'
        ? await sql.transaction(async () => {
            await sql.run('SET LOCAL plan_cache_mode = force_generic_plan')
            await sql.run(`PREPARE start_lookup (${params.map(() => 'text').join(', ')}) AS ${text}`)
            const rows = await sql.values(`EXPLAIN EXECUTE start_lookup (${params.map(() => "'k'").join(', ')})`)
            await sql.run('DEALLOCATE start_lookup')
            return rows.map(([line]) => String(line)).join('\n')
          })
        : (await sql.values(`EXPLAIN QUERY PLAN ${text}`, params)).map((row) => String(row[3])).join('\n')
    expect(params).toHaveLength(4)
    expect(plan).toMatch(/runs_idempotency_key_unique/)
    expect(plan).not.toMatch(/Seq Scan on runs|SCAN r\b/)
  })

  it('holds an idempotency key to one run across processes', async () => {
    const first = createRunStore(opened.store)
    const second = createRunStore(await opened.another())
    await first.insertRun(runRow('r1', 'key'))
    await expect(second.insertRun(runRow('r2', 'key'))).rejects.toThrow()
    expect((await second.runByKey('key'))?.id).toBe('r1')
  })

  it('stores a batch packed and sealed as bytes (no patient value in the row) and still reads batches sealed as text', async () => {
    const cipher = sealingCipher()
    const store = createRunStore(opened.store, cipher)
    const started = startedEvent('r1', { patient: { mrn: 'MRN-CANARY-7731' } })
    const steps = Array.from({ length: 12 }, (_, i) => event(i + 1))
    await store.appendEvents('r1', [started, ...steps])
    const row = await opened.store.sql.get<{ events: Buffer }>("SELECT events FROM run_events WHERE run_id = 'r1'")
    expect(Buffer.isBuffer(row?.events)).toBe(true)
    expect(sealedKeyId(row!.events)).toBe('run:f:2026-11-22')
    expect(row?.events.includes('MRN-CANARY-7731')).toBe(false)
    // Packed: smaller sealed than the batch's JSON text is.
    expect(row?.events.length).toBeLessThan(JSON.stringify([started, ...steps]).length / 2)
    // Batches written before sealed bytes: the JSON text sealed as text, stored as text (SQLite)
    // or as that text's bytes (PostgreSQL's column turned bytea by migration 0009).
    const older = [event(13), event(14)]
    const sealed = await cipher.seal('run:f:2026-11-22', JSON.stringify(older), 'run_events|r1|13')
    await opened.store.sql.run(insertBatch, ['r1', 13, 14, RUN_EVENT_VERSION, sealed])
    const asBytes = [event(15)]
    const sealedText = await cipher.seal('run:f:2026-11-22', JSON.stringify(asBytes), 'run_events|r1|15')
    await opened.store.sql.run(insertBatch, ['r1', 15, 15, RUN_EVENT_VERSION, Buffer.from(sealedText, 'utf8')])
    expect(await store.events('r1')).toEqual([started, ...steps, ...older, ...asBytes])
    // Another process appends the run's next batch: the key is named by the stored bytes.
    const later = createRunStore(opened.store, cipher)
    await later.appendEvents('r1', [event(16)])
    expect((await later.events('r1')).map((e) => e.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i))
  })

  it('refuses a sealed batch whose bytes were changed or moved to another row, whole', async () => {
    const cipher = sealingCipher()
    const store = createRunStore(opened.store, cipher)
    const started = startedEvent('r1')
    await store.appendEvents('r1', [started, event(1)])
    const row = await opened.store.sql.get<{ events: Buffer }>("SELECT events FROM run_events WHERE run_id = 'r1'")
    const damaged = Buffer.from(row!.events)
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 1
    await opened.store.sql.run(insertBatch, ['r2', 0, 1, RUN_EVENT_VERSION, damaged])
    await opened.store.sql.run(insertBatch, ['r3', 0, 1, RUN_EVENT_VERSION, row!.events])
    await opened.store.sql.run(insertBatch, ['r4', 0, 1, RUN_EVENT_VERSION, row!.events.subarray(0, 20)])
    for (const run of ['r2', 'r3', 'r4']) await expect(store.events(run)).rejects.toThrow(/damaged|moved/)
  })

  it("packs a run's batches against its stored flow version, and reads them back in another process", async () => {
    const document = intakeFlow()
    const hash = contentHash(document)
    await opened.store.sql.run(
      `INSERT INTO flows (id, title, status, draft_revision, draft_hash, draft_author, updated_at, updated_by)
       VALUES (?, 't', 'published', 1, ?, 'a', 'now', 'a')`,
      [document.id, hash],
    )
    await opened.store.sql.run(
      `INSERT INTO flow_versions (flow_id, revision, hash, document, author, status, created_at)
       VALUES (?, 1, ?, ?, 'a', 'published', 'now')`,
      [document.id, hash, JSON.stringify(document)],
    )
    const cipher = sealingCipher()
    const store = createRunStore(opened.store, cipher)
    await store.insertRun({ ...runRow('r1', 'k1'), flow_id: document.id, hash })
    await store.insertRun({ ...runRow('r2', 'k2'), flow_id: document.id, hash: 'a version never stored' })
    const startOf = (runId: string, flowHash: string) => startedEvent(runId, { score: 3 }, flowHash, document.id)
    await store.appendEvents('r1', [startOf('r1', hash), event(1)])
    await store.appendEvents('r2', [startOf('r2', 'a version never stored'), event(1)])
    const later = createRunStore(opened.store, cipher)
    await later.appendEvents('r1', [event(2)])
    const packedAgainst = async (runId: string) =>
      Promise.all(
        (
          await opened.store.sql.all<{ first_seq: number; events: Buffer }>(
            'SELECT first_seq, events FROM run_events WHERE run_id = ? ORDER BY first_seq',
            [runId],
          )
        ).map(async (row) =>
          needsRunDictionary(await cipher.openBytes(row.events, `run_events|${runId}|${row.first_seq}`)),
        ),
      )
    expect(await packedAgainst('r1')).toEqual([true, true])
    expect(await packedAgainst('r2')).toEqual([false])
    const reader = createRunStore(opened.store, cipher)
    expect(await reader.events('r1')).toEqual([startOf('r1', hash), event(1), event(2)])
    expect(await reader.events('r2')).toEqual([startOf('r2', 'a version never stored'), event(1)])
    // A migration moves r1 to another version: its log stays packed against the one it started on.
    await reader.rehashRun('r1', 'the version it moved to')
    await createRunStore(opened.store, cipher).appendEvents('r1', [event(3)])
    expect(await createRunStore(opened.store, cipher).events('r1')).toEqual([
      startOf('r1', hash),
      event(1),
      event(2),
      event(3),
    ])
  })
})
