// The HL7 samples arrive over MLLP on 127.0.0.1 at a real runtime with the example flows
// published: each gets the right ACK (MSA-2 = its MSH-10), the ones the lab-result-routing flow
// accepts start a run, resends start nothing new, and every message is kept before its ACK.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import { createTestRuntime, publishFlow, type TestRuntime } from '@carepath/runtime/testing'
import { createConnectorAdapters, sendMllp, startRuntimeHl7Listener, type MllpListener } from '../../apps/runtime/src/integrations/index.ts'
import { startFhirTestServer, type FhirTestServer } from '../../apps/runtime/src/integrations/testing/fhir-test-server.ts'

const fixtures = new URL('../../packages/nodes/src/hl7-parse/fixtures/', import.meta.url)
const samples = readdirSync(fixtures)
  .filter((file) => file.endsWith('.hl7'))
  .map((file) => ({ file, text: readFileSync(new URL(file, fixtures), 'utf8') }))
/** Field n, component c of a segment (MSH counts its field separator as field 1). */
function segmentOf(text: string, name: string) {
  const line = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).find((l) => l.startsWith(name))!
  const fields = line.split('|')
  return { getComponent: (n: number, c: number) => (fields[name === 'MSH' ? n - 1 : n] ?? '').split('~')[0]!.split('^')[c - 1] ?? '' }
}
const header = (text: string) => segmentOf(text, 'MSH')
const msa = (ack: string) => ({ code: segmentOf(ack, 'MSA').getComponent(1, 1), controlId: segmentOf(ack, 'MSA').getComponent(2, 1) })
const examples = new URL('../../examples/', import.meta.url)
const readJson = (name: string) => JSON.parse(readFileSync(new URL(name, examples), 'utf8'))

/** Which example flow (by its trigger.hl7 config) should take a sample. */
const hl7Flows = readdirSync(examples)
  .filter((file) => file.endsWith('.flow.json'))
  .map((file) => readJson(file))
  .filter((flow) => flow.nodes[flow.start]?.type === 'trigger.hl7')
function expectedFlow(text: string): string | undefined {
  const msh = header(text)
  const type = `${msh.getComponent(9, 1)}^${msh.getComponent(9, 2)}`
  return hl7Flows.find((flow) => {
    const config = flow.nodes[flow.start].config
    const senderOk = config.senders.length === 0 || config.senders.some((s: string) => s.split('^')[0] === msh.getComponent(3, 1))
    return senderOk && config.messageTypes.some((t: string) => t === type || t === `${type.split('^')[0]}^*` || t === type.split('^')[0])
  })?.id
}

let t: TestRuntime
let fhir: FhirTestServer
let listener: MllpListener

beforeAll(async () => {
  fhir = await startFhirTestServer()
  t = await createTestRuntime({ registry, connectors: createConnectorAdapters({ fhir: { baseUrl: fhir.baseUrl } }) })
  for (const flow of hl7Flows) {
    const suite = (() => {
      try {
        return [readJson(`${flow.id}.suite.json`)]
      } catch {
        return []
      }
    })()
    await publishFlow(t, flow, suite)
  }
  listener = await startRuntimeHl7Listener(t.runtime, { port: 0, dataDir: t.dir })
})
afterAll(async () => {
  await listener?.close()
  t?.close()
  await fhir?.close()
})

const runsOf = (flowId: string) => t.runtime.runs.store.listRuns(flowId, 1000)

describe('HL7 samples over MLLP into a runtime with the example flows', () => {
  it('has at least one example flow started by HL7', () => {
    expect(hl7Flows.map((flow) => flow.id)).toContain('lab-result-routing')
  })

  it('acknowledges every sample with MSA-2 = MSH-10: AA and a run when a flow takes it, AR otherwise', async () => {
    // Frames split in two writes, to go through the framer as a real network would deliver them.
    const acks = await sendMllp(listener.port, samples.map((s) => s.text), { chunks: (frame) => [frame.subarray(0, 11), frame.subarray(11)] })
    expect(acks).toHaveLength(samples.length)
    const expected = samples.map((s) => ({ code: expectedFlow(s.text) ? 'AA' : 'AR', controlId: header(s.text).getComponent(10, 1) }))
    expect(acks.map(msa)).toEqual(expected)
    for (const flow of hl7Flows) {
      const accepted = samples.filter((s) => expectedFlow(s.text) === flow.id)
      expect(accepted.length, flow.id).toBeGreaterThan(0)
      const runs = runsOf(flow.id)
      expect(runs).toHaveLength(accepted.length)
      // The run got past the trigger: it parsed the message and went on into the flow.
      for (const run of runs) expect(['waiting', 'completed', 'running']).toContain(run.status)
    }
  })

  it('starts no second run for a resend and answers AE for a truncated message, keeping everything received', async () => {
    const oru = samples.filter((s) => expectedFlow(s.text))
    const before = runsOf('lab-result-routing').length
    const acks = await sendMllp(listener.port, [...oru.map((s) => s.text), 'MSH|^~\\&|SomeSystem||TransformationAgent||20141006064500+0700||ORU^R01|TRUNC9'])
    expect(acks.map(msa)).toEqual([...oru.map((s) => ({ code: 'AA', controlId: header(s.text).getComponent(10, 1) })), { code: 'AE', controlId: 'TRUNC9' }])
    expect(runsOf('lab-result-routing')).toHaveLength(before)
    const kept = readFileSync(join(t.dir, 'hl7-inbound.jsonl'), 'utf8').split('\n').filter((line) => line.includes('"kind":"message"'))
    expect(kept).toHaveLength(samples.length + oru.length + 1)
  })
})
