// Two runtime processes on one PostgreSQL database, each with its own MLLP port, as behind a load
// balancer: a message taken at one and sent again to the other is answered as the resend it is
// (AA, the same runs, no second run), the copies are kept in the database sealed, and a message
// a stopped process stored but never answered is started by a survivor's sweep.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { startServer, type RunningServer } from '@carepath/runtime'
import { waitUntil } from '@carepath/runtime/testing'
import { findTestPostgres } from '../../apps/runtime/src/testing/test-postgres.ts'
import { sendMllp, startRuntimeHl7Listener, type MllpListener } from '../../apps/runtime/src/integrations/index.ts'
import { createDbHl7Store } from '../../apps/runtime/src/integrations/hl7/hl7-db-store.ts'
import { seedPublished } from './crash-harness.ts'

const testPostgres = await findTestPostgres()
const flow = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../examples/hl7-entry/adt-registration-hl7.flow.json'), 'utf8'),
) as FlowDocument
const template = readFileSync(join(import.meta.dirname, '../../examples/samples/hl7/simplehl7_adt.hl7'), 'utf8')
  .trim()
  .replace(/\r?\n/g, '\r')
const adt = (controlId: string) => template.replace('|1817457|', `|${controlId}|`)
const msaOf = (ack: string) =>
  ack
    .split('\r')
    .find((segment) => segment.startsWith('MSA|'))
    ?.split('|')
    .slice(0, 3)
    .join('|')

describe.skipIf(!testPostgres)('HL7 intake across two runtime processes on PostgreSQL', () => {
  let dir: string
  let database: { url: string; drop(): Promise<void> }
  const servers: RunningServer[] = []
  const listeners: MllpListener[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carepath-hl7-two-'))
    database = await testPostgres!.createDatabase('hl7-two')
    for (let i = 0; i < 2; i++) {
      const server = await startServer({
        port: 0,
        dataDir: dir,
        database: database.url,
        databasePoolSize: 4,
        registry,
        connectors: {},
        timerIntervalMs: 0,
        designerDist: join(dir, 'no-designer'),
        log: () => {},
        beforeReady: (runtime) => seedPublished(runtime, [flow], { password: 'two processes password', extra: [] }),
      })
      servers.push(server)
      listeners.push(await startRuntimeHl7Listener(server.runtime, { port: 0 }))
    }
  })
  afterAll(async () => {
    for (const listener of listeners) await listener.close()
    for (const server of servers) await server.close()
    await database?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  const runsOfFlow = () => servers[0]!.runtime.runs.store.listRuns(flow.id, 100)

  it('answers a resend at the other process as a duplicate of the accepted message, starting nothing again', async () => {
    const [first] = await sendMllp(listeners[0]!.port, [adt('TWO-1')])
    expect(msaOf(first!)).toBe('MSA|AA|TWO-1')
    expect(await runsOfFlow()).toHaveLength(1)
    const [again] = await sendMllp(listeners[1]!.port, [adt('TWO-1')])
    expect(again).toContain('Duplicate of a message already accepted.')
    expect(msaOf(again!)).toBe('MSA|AA|TWO-1')
    expect(await runsOfFlow()).toHaveLength(1)
    // Both copies are in the one database, answered, and neither holds the patient's name.
    const kept = await servers[1]!.runtime.store.sql.all<{ ack_code: string; sealed: string }>(
      'SELECT ack_code, sealed FROM hl7_messages WHERE control_id = ?',
      ['TWO-1'],
    )
    expect(kept.map((row) => row.ack_code)).toEqual(['AA', 'AA'])
    const pid = adt('TWO-1')
      .split('\r')
      .find((segment) => segment.startsWith('PID|'))!
    const patientName = pid.split('|')[5]!.split('^')[0]!
    expect(patientName.length).toBeGreaterThan(2)
    for (const row of kept) expect(row.sealed).not.toContain(patientName)
  })

  it("starts the runs of a message a stopped process stored and never answered, at a survivor's sweep", async () => {
    expect(await runsOfFlow()).toHaveLength(1)
    // What a process does between storing a message and answering it, before it stops: the
    // message kept (sealed as the runtime seals it), held by a lease that has already run out.
    const { runtime } = servers[0]!
    const stopped = createDbHl7Store({
      sql: runtime.store.sql,
      now: () => new Date(),
      leaseMs: 0,
      sealer: {
        seal: (raw, id) => runtime.cipher.seal('hl7-inbound:test', raw, `hl7-inbound|${id}`),
        open: (sealed, id) => runtime.cipher.open(sealed, `hl7-inbound|${id}`),
      },
    })
    await stopped.save(
      adt('TWO-2'),
      { sender: 'EPIC^EPICADT', controlId: 'TWO-2', type: 'ADT^A04', via: 'mllp' },
      new Date(),
    )
    // One of the two listening processes takes it at its next sweep (every few seconds) and starts its run.
    await waitUntil(async () => (await runsOfFlow()).length === 2, 'the stored message to get its run')
    await waitUntil(
      async () =>
        (
          await runtime.store.sql.get<{ ack_code: string | null }>(
            "SELECT ack_code FROM hl7_messages WHERE control_id = 'TWO-2'",
          )
        )?.ack_code === 'AA',
      'the stored message to be answered AA',
    )
    // The sender's resend, at either process, is now a duplicate.
    const [again] = await sendMllp(listeners[1]!.port, [adt('TWO-2')])
    expect(again).toContain('Duplicate of a message already accepted.')
    expect(await runsOfFlow()).toHaveLength(2)
  })
})
