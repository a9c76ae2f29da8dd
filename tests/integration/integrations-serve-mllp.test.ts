// `carepath serve --mllp-port N` as startServer runs it, with the demo's example flows
// published: the ORU sample the lab-result-routing flow accepts gets AA and a run; a message no
// flow takes gets AR; both are kept in the database (hl7_messages).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo, startServer, type RunningServer } from '@carepath/runtime'
import { hl7Sample, sendMllp } from '@carepath/runtime/testing'

const examples = join(import.meta.dirname, '..', '..', 'examples')
let server: RunningServer
let dir: string
const logs: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'carepath-serve-mllp-'))
  server = await startServer({
    port: 0,
    mllpPort: 0,
    dataDir: dir,
    timerIntervalMs: 0,
    log: (line) => logs.push(line),
    beforeReady: async (rt) => void (await seedDemo(rt, examples, 'demo password for the test')),
  })
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('serve with an MLLP port', () => {
  it('opens the listener, acknowledges, starts runs for accepted messages and keeps every message', async () => {
    const line = logs.find((l) => l.includes('HL7 v2 (MLLP) listening on'))
    expect(line).toBeDefined()
    const port = Number(/:(\d+)$/.exec(line!)![1])
    const acks = await sendMllp(port, [hl7Sample('msft-LAB-ORU-1.hl7'), hl7Sample('msft-SIU-S12-01.hl7')])
    expect(acks[0]).toMatch(/\rMSA\|AA\|182\|/)
    // The demo publishes the HL7 entry flows too, so a booking (SIU^S12) starts its own flow.
    expect(acks[1]).toMatch(/\rMSA\|AA\|MSG00012\|/)
    expect(await server.runtime.runs.store.listRuns('lab-result-routing', 10)).toHaveLength(1)
    expect(await server.runtime.runs.store.listRuns('appointment-booking-hl7', 10)).toHaveLength(1)
    const kept = await server.runtime.store.sql.all<{ ack_code: string }>('SELECT ack_code FROM hl7_messages')
    expect(kept.map((row) => row.ack_code)).toEqual(['AA', 'AA'])
    // Operational logs never carry message content or control ids.
    expect(logs.join('\n')).not.toMatch(/DUCK|EVERYMAN|MSG00012/)
  })
})
