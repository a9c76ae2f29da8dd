// The HL7 samples arrive over MLLP on 127.0.0.1 at a real runtime with the example flows
// published (lab-result-routing and the HL7 entry flows in examples/hl7-entry): each gets the right
// ACK (MSA-2 = its MSH-10) and starts the matching flow, VXU (no workflow) gets AR with its
// reason, resends start nothing new, and every message is kept before its ACK.
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import {
  createTestRuntime,
  hl7Samples,
  publishFlow,
  TEST_CONNECTOR_TIMEOUT_MS,
  type TestRuntime,
} from '@carepath/runtime/testing'
import {
  createConnectorAdapters,
  sendMllp,
  startRuntimeHl7Listener,
  type MllpListener,
} from '../../apps/runtime/src/integrations/index.ts'
import {
  startFhirTestServer,
  type FhirTestServer,
} from '../../apps/runtime/src/integrations/testing/fhir-test-server.ts'

const samples = hl7Samples()
/** Field n, component c of a segment (MSH counts its field separator as field 1). */
function segmentOf(text: string, name: string) {
  const line = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .find((l) => l.startsWith(name))!
  const fields = line.split('|')
  return {
    getComponent: (n: number, c: number) =>
      (fields[name === 'MSH' ? n - 1 : n] ?? '').split('~')[0]!.split('^')[c - 1] ?? '',
  }
}
const header = (text: string) => segmentOf(text, 'MSH')
const msa = (ack: string) => ({
  code: segmentOf(ack, 'MSA').getComponent(1, 1),
  controlId: segmentOf(ack, 'MSA').getComponent(2, 1),
})
const examples = new URL('../../examples/', import.meta.url)
const readJson = (name: string) => JSON.parse(readFileSync(new URL(name, examples), 'utf8'))

/** The example flows a message can start: lab-result-routing and the HL7 entry flows. */
const hl7FlowFiles = [
  'lab-result-routing',
  ...readdirSync(new URL('hl7-entry/', examples))
    .filter((f) => f.endsWith('.flow.json'))
    .map((f) => `hl7-entry/${f.replace('.flow.json', '')}`),
]
const hl7Flows = hl7FlowFiles.map((name) => ({
  flow: readJson(`${name}.flow.json`),
  suite: readJson(`${name}.suite.json`),
}))

/**
 * Which example flow each sample starts, and where its run gets to with no one acting yet
 * (an outcome, or `waiting` on a person). AR: no example flow takes it, and why.
 */
const EXPECTED: Record<string, { flow: string; outcome: string } | { ar: RegExp }> = {
  'msft-ADT-A04-01.hl7': { flow: 'adt-registration-hl7', outcome: 'intake-invited' },
  'msft-ADT-A40-01.hl7': { flow: 'adt-registration-hl7', outcome: 'waiting' },
  'simplehl7_adt.hl7': { flow: 'adt-registration-hl7', outcome: 'intake-invited' },
  'msft-LAB-ORU-1.hl7': { flow: 'lab-result-routing', outcome: '*' },
  'simplehl7_oru.hl7': { flow: 'lab-result-routing', outcome: '*' },
  'msft-ORM-O01-01.hl7': { flow: 'prior-auth-order-hl7', outcome: 'waiting' },
  'simplehl7_orm.hl7': { flow: 'prior-auth-order-hl7', outcome: 'released-no-auth' },
  'msft-REF-I12-01.hl7': { flow: 'referral-intake-hl7', outcome: 'waiting' },
  'msft-SIU-S12-01.hl7': { flow: 'appointment-booking-hl7', outcome: 'verify-at-arrival' },
  'msft-SIU-S15-01.hl7': { flow: 'appointment-booking-hl7', outcome: 'slot-released' },
  'msft-SIU-S26-01.hl7': { flow: 'no-show-rebook-hl7', outcome: 'waiting' },
  // Immunization updates: no workflow here handles them.
  'msft-VXU-V04-01.hl7': { ar: /No workflow here starts on VXU\^V04 messages/ },
  // Public-health reports (a state lab to the health department; a VAERS report): ORU^R01, but not
  // from the clinic's lab senders that lab-result-routing accepts.
  'msft-ORU-R01-01.hl7': { ar: /No flow accepts ORU\^R01 from this sender/ },
  'simplehl7_oru-imm.hl7': { ar: /No flow accepts ORU\^R01 from this sender/ },
}
/**
 * What goes back on the connection: one application ACK in original mode; in enhanced mode
 * (MSH-15/16 valued) what the sample asks for. The ADT^A40 says NE/NE (nothing), the two
 * public-health ORU^R01 ask for the commit ACK only (AL, and NE or nothing for the application ACK).
 */
const ENHANCED: Record<string, string[]> = {
  'msft-ADT-A40-01.hl7': [],
  'msft-ORU-R01-01.hl7': ['CA'],
  'simplehl7_oru-imm.hl7': ['CA'],
}
const expectedFlow = (file: string) => {
  const expected = EXPECTED[file]
  return expected && 'flow' in expected ? expected.flow : undefined
}

let t: TestRuntime
let fhir: FhirTestServer
let listener: MllpListener

beforeAll(async () => {
  fhir = await startFhirTestServer()
  t = await createTestRuntime({
    registry,
    connectors: createConnectorAdapters({ fhir: { baseUrl: fhir.baseUrl, timeoutMs: TEST_CONNECTOR_TIMEOUT_MS } }),
  })
  for (const { flow, suite } of hl7Flows) await publishFlow(t, flow, [suite])
  listener = await startRuntimeHl7Listener(t.runtime, { port: 0, dataDir: t.dir })
})
afterAll(async () => {
  await listener?.close()
  await t?.close()
  await fhir?.close()
})

const runsOf = (flowId: string) => t.runtime.runs.store.listRuns(flowId, 1000)

describe('HL7 samples over MLLP into a runtime with the example flows', () => {
  it('knows what every sample should start', () => {
    expect(samples.map((s) => s.file).sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  it('acknowledges every sample with MSA-2 = MSH-10: AA and a run of the matching flow, AR with the reason otherwise', async () => {
    // Frames split in two writes, to go through the framer as a real network would deliver them.
    const acks = await sendMllp(
      listener.port,
      samples.map((s) => s.text),
      {
        chunks: (frame) => [frame.subarray(0, 11), frame.subarray(11)],
        acksFor: (index) => (ENHANCED[samples[index]!.file] ?? ['AA']).length,
      },
    )
    const codesOf = (file: string) => ENHANCED[file] ?? [expectedFlow(file) ? 'AA' : 'AR']
    expect(acks.map(msa)).toEqual(
      samples.flatMap((s) => codesOf(s.file).map((code) => ({ code, controlId: header(s.text).getComponent(10, 1) }))),
    )
    const letters = await t.runtime.deadLetters.list({}, 100)
    for (const s of samples) {
      const expected = EXPECTED[s.file]!
      if (!('ar' in expected)) continue
      const controlId = header(s.text).getComponent(10, 1)
      // The reason is in the AR when one was asked for, and in the dead letter always.
      // MSA-3 escapes the component separator (\\S\\); read it back as ^.
      const ack = acks.find((a) => msa(a).controlId === controlId && msa(a).code === 'AR')
      if (ack) expect(ack.replaceAll('\\S\\', '^'), s.file).toMatch(expected.ar)
      expect(letters.find((l) => l.controlId === controlId)?.reason, s.file).toMatch(expected.ar)
    }
    for (const { flow } of hl7Flows) {
      const accepted = samples.filter((s) => expectedFlow(s.file) === flow.id)
      expect(accepted.length, flow.id).toBeGreaterThan(0)
      const runs = await runsOf(flow.id)
      expect(runs, flow.id).toHaveLength(accepted.length)
      // Each run got past the trigger: it parsed the message and went on into the flow.
      for (const run of runs) expect(['waiting', 'completed']).toContain(run.status)
      const reached = runs.map((run) => (run.status === 'waiting' ? 'waiting' : run.outcome)).sort()
      const wanted = accepted.map((s) => (EXPECTED[s.file] as { outcome: string }).outcome)
      if (!wanted.includes('*')) expect(reached, flow.id).toEqual(wanted.sort())
    }
  })

  it('starts no second run for a resend and answers AR for a truncated message, keeping everything received', async () => {
    const accepted = samples.filter((s) => expectedFlow(s.file) && !ENHANCED[s.file])
    const before = await Promise.all(hl7Flows.map(async ({ flow }) => (await runsOf(flow.id)).length))
    const acks = await sendMllp(listener.port, [
      ...accepted.map((s) => s.text),
      'MSH|^~\\&|SomeSystem||TransformationAgent||20141006064500+0700||ORU^R01|TRUNC9',
    ])
    expect(acks.map(msa)).toEqual([
      ...accepted.map((s) => ({ code: 'AA', controlId: header(s.text).getComponent(10, 1) })),
      { code: 'AR', controlId: 'TRUNC9' },
    ])
    expect(await Promise.all(hl7Flows.map(async ({ flow }) => (await runsOf(flow.id)).length))).toEqual(before)
    // Every message received is kept in the database, the refused and the resent ones too.
    const kept = await t.runtime.store.sql.get<{ count: number }>('SELECT count(*) AS count FROM hl7_messages')
    expect(Number(kept?.count)).toBe(samples.length + accepted.length + 1)
  })
})
