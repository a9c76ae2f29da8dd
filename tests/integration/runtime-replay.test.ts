// The nightly batch example on a real runtime: published, fired by the scheduler at 02:00 New
// York time against a real FHIR server (Medplum's), it goes through the flagged patients one by
// one. Then replay on demand: the auditor's button (runs.replay) and `carepath replay RUN` say the
// stored run re-executes byte-identically; `carepath replay --sample N` says so of a sample; and a
// log altered in the database (sealed again, as an insider with the key would) is caught at the
// altered event.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import {
  createConnectorAdapters,
  createTestRuntime,
  publishFlow,
  runCarepathCli,
  sessionToken,
  startFhirTestServer,
  TEST_CONNECTOR_TIMEOUT_MS,
  TEST_PASSWORD,
  type FhirTestServer,
  type TestRuntime,
} from '@carepath/runtime/testing'
import { createRuntime } from '../../apps/runtime/src/runtime.ts'
import { sealedKeyId } from '../../apps/runtime/src/keys/data-cipher.ts'
import { runDictionary, unpackBatch } from '../../apps/runtime/src/runs/event-batch-codec.ts'
import { createVersionDictionaries } from '../../apps/runtime/src/runs/version-dictionaries.ts'

const cli = (args: string[]) => runCarepathCli(args)
const examples = new URL('../../examples/', import.meta.url)
const readJson = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(name, examples), 'utf8'))
const TAG = 'http://example.org/fhir/CodeSystem/registration-review'
const HOUR = 3_600_000

let fhir: FhirTestServer
let t: TestRuntime
let runId = ''

function flagged(id: string, complete: boolean) {
  return {
    resourceType: 'Patient' as const,
    id,
    meta: { tag: [{ system: TAG, code: 'demographics-review' }] },
    name: [{ family: `Family-${id}`, given: ['Alex'] }],
    birthDate: '1970-01-01',
    ...(complete ? { telecom: [{ system: 'phone' as const, value: '555-0100' }] } : {}),
    address: [{ city: 'Springfield', postalCode: '01101' }],
  }
}

beforeAll(async () => {
  fhir = await startFhirTestServer()
  for (const [id, complete] of [
    ['pat-a', true],
    ['pat-b', false],
    ['pat-c', true],
  ] as const) {
    await fhir.repo.updateResource(flagged(id, complete))
  }
  t = await createTestRuntime({
    registry,
    connectors: createConnectorAdapters({ fhir: { baseUrl: fhir.baseUrl, timeoutMs: TEST_CONNECTOR_TIMEOUT_MS } }),
  })
  await publishFlow(t, readJson('nightly-demographic-review.flow.json'), [
    readJson('nightly-demographic-review.suite.json'),
  ])
})
afterAll(async () => {
  await t?.runtime.close()
  rmSync(t?.dir ?? '', { recursive: true, force: true })
  await fhir?.close()
})

describe('the nightly batch example on a schedule', () => {
  it('fires at 02:00 New York time and goes through every flagged patient once', async () => {
    // Published 2026-03-01 09:00 UTC; 02:00 in New York (EST) is 07:00 UTC the next day.
    for (let hour = 0; hour < 23; hour++) {
      t.advance(HOUR)
      await t.runtime.schedules.sweep()
    }
    const runs = await t.runtime.runs.store.listRuns('nightly-demographic-review', 10)
    expect(runs.map((run) => [run.status, run.outcome])).toEqual([['completed', 'reviewed']])
    runId = runs[0]!.id
    const events = await t.runtime.runs.store.events(runId)
    expect(events[0]).toMatchObject({
      type: 'run.started',
      data: { input: { schedule: { at: '2026-03-02T07:00:00.000Z' } } },
    })
    const items = events.filter((e) => e.type === 'facts.set' && e.nodeId === 'each-patient')
    expect(items).toHaveLength(3)
    // The complete records carry the reviewed tag; the incomplete one got a work-list task.
    for (const id of ['pat-a', 'pat-c']) {
      const patient = await fhir.repo.readResource('Patient', id)
      expect(patient.meta?.tag?.map((tag) => tag.code)).toContain('demographics-reviewed')
    }
    const tasks = await fhir.repo.searchResources({ resourceType: 'Task' })
    expect(tasks.map((task) => (task.resourceType === 'Task' ? task.for?.reference : task.resourceType))).toEqual([
      'Patient/pat-b',
    ])
  })

  it('the auditor replays the stored run: byte-identical', async () => {
    // A day went by on the test clock: the sessions of the set-up expired, so both log in afresh.
    const auditor = t.caller(sessionToken(await t.runtime.auth.login('auditor', TEST_PASSWORD)))
    const agent = t.caller(sessionToken(await t.runtime.auth.login('agent', TEST_PASSWORD)))
    expect(await auditor.runs.replay({ id: runId })).toMatchObject({ runId, identical: true })
    await expect(agent.runs.replay({ id: runId })).rejects.toThrow()
    await expect(auditor.runs.replay({ id: 'no-such-run' })).rejects.toThrow('No run with id "no-such-run".')
  })
})

describe('carepath replay', () => {
  it('says a stored run and a sample of runs replay byte-identically', async () => {
    await t.runtime.close()
    const one = await cli(['replay', runId, '--data', t.dir])
    expect(one.stderr).toBe('')
    expect(one.stdout).toMatch(new RegExp(`Run ${runId}: byte-identical \\(\\d+ events\\)`))
    expect(one.status).toBe(0)
    const sample = await cli(['replay', '--sample', '20', '--data', t.dir])
    expect(sample.stdout).toMatch(/Replayed 1 stored runs: 1 byte-identical, 0 differ\./)
    expect(sample.status).toBe(0)
  })

  it('refuses bad input with one line and exit 2', async () => {
    expect(await cli(['replay', '--data', t.dir])).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/usage: carepath replay/),
    })
    expect((await cli(['replay', '--sample', 'many', '--data', t.dir])).stderr).toMatch(/--sample needs a whole number/)
    const missing = await cli(['replay', 'nope', '--data', t.dir])
    expect(missing).toMatchObject({ status: 2, stderr: 'carepath replay: No run with id "nope".\n' })
  })

  it('names the altered event of a log changed in the database, and the sample counts the run as differing', async () => {
    // An insider with the key and the file rewrites the second patient's decision: "complete"
    // instead of "incomplete" (lifting the append-only trigger for the edit, and putting it back).
    const runtime = await createRuntime({ dbFile: join(t.dir, 'carepath.db'), registry })
    let seq = -1
    try {
      const sql = runtime.db.$client
      const trigger = sql
        .prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'run_events_no_update'")
        .get()!.sql
      sql.exec('DROP TRIGGER run_events_no_update')
      // Batches are packed against their run's dictionary (its version's text, its id and hash).
      const { hash } = sql.prepare<[string], { hash: string }>('SELECT hash FROM runs WHERE id = ?').get(runId)!
      const version = await createVersionDictionaries(runtime.store.sql).of(hash)
      const dictionary = version && runDictionary(version, { id: runId, hash })
      const batches = sql
        .prepare<[string], { first_seq: number; events: Buffer }>(
          'SELECT first_seq, events FROM run_events WHERE run_id = ? ORDER BY first_seq',
        )
        .all(runId)
      for (const batch of batches) {
        const aad = `run_events|${runId}|${batch.first_seq}`
        const events: { seq: number; type: string; nodeId?: string; data: { port?: string } }[] = JSON.parse(
          unpackBatch(await runtime.cipher.openBytes(batch.events, aad), dictionary),
        )
        const target = events.find(
          (e) => e.type === 'decision' && e.nodeId === 'check-record' && e.data.port === 'incomplete',
        )
        if (!target) continue
        target.data.port = 'complete'
        seq = target.seq
        const keyId = sealedKeyId(batch.events)!
        // Written back as JSON text, the form batches had before they were packed (still read).
        sql
          .prepare('UPDATE run_events SET events = ? WHERE run_id = ? AND first_seq = ?')
          .run(await runtime.cipher.seal(keyId, JSON.stringify(events), aad), runId, batch.first_seq)
      }
      sql.exec(trigger)
    } finally {
      await runtime.close()
    }
    expect(seq).toBeGreaterThan(0)
    const one = await cli(['replay', runId, '--data', t.dir])
    expect(one.stdout).toContain(`Run ${runId}: DIFFERS at event ${seq} (decision at "Record complete?")`)
    expect(one.status).toBe(1)
    const json = JSON.parse((await cli(['replay', runId, '--data', t.dir, '--json'])).stdout)
    expect(json).toMatchObject({ identical: false, difference: { seq, type: 'decision', nodeId: 'check-record' } })
    const sample = await cli(['replay', '--sample', '5', '--data', t.dir])
    expect(sample.stdout).toMatch(/Replayed 1 stored runs: 0 byte-identical, 1 differ\./)
    expect(sample.status).toBe(1)
  })
})
