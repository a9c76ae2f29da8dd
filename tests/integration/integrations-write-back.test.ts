// Writing a call's outcome back: a flow updates the patient's Task on a real FHIR server with the
// version it read (a stale version takes the node's `conflict` port and writes nothing), then
// reports the result as an HL7 ORU over MLLP to a receiver, whose ACK lands in the run's log.
import { createServer, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import { flowDocumentSchema, type ConnectorAdapter } from '@carepath/dsl'
import { startRun } from '@carepath/engine'
import {
  createConnectorAdapters,
  createTestRuntime,
  hl7OutSettingsSchema,
  MllpFramer,
  mllpFrame,
  startFhirTestServer,
  TEST_CONNECTOR_TIMEOUT_MS,
  type FhirTestServer,
  type TestRuntime,
} from '@carepath/runtime/testing'

const s = (phi: string) => ({ type: 'string', 'x-phi': phi })
const flow = flowDocumentSchema.parse({
  dsl: 'carepath.flow/1',
  id: 'call-outcome-write-back',
  version: 1,
  title: 'Write a call outcome back',
  facts: {
    type: 'object',
    properties: {
      taskId: s('identifier'),
      mrn: s('identifier'),
      task: { type: 'object', properties: { version: { type: 'string' }, status: { type: 'string' } } },
      outcome: { type: 'string' },
      sent: { type: 'object', properties: { id: { type: 'string' }, ack: { type: 'object' } } },
    },
  },
  roles: {},
  start: 'start',
  nodes: {
    start: {
      type: 'trigger.api',
      typeVersion: 1,
      config: { requiredInputs: ['taskId', 'mrn', 'outcome'] },
      next: { next: 'read-task' },
    },
    'read-task': {
      type: 'fhir.read',
      typeVersion: 1,
      config: {
        resourceType: 'Task',
        idFrom: 'taskId',
        into: 'task',
        extract: { version: 'meta.versionId', status: 'status' },
      },
      next: { found: 'close-task', notFound: 'failed', error: 'failed' },
    },
    'close-task': {
      type: 'fhir.patch',
      typeVersion: 1,
      config: {
        resourceType: 'Task',
        idFrom: 'taskId',
        operations: [
          { op: 'replace', path: '/status', value: 'completed' },
          { op: 'add', path: '/businessStatus', value: { text: { $fact: 'outcome' } } },
        ],
        versionFrom: 'task.version',
      },
      next: { patched: 'report', conflict: 'conflict', notFound: 'failed', error: 'failed' },
    },
    report: {
      type: 'hl7.send',
      typeVersion: 1,
      config: {
        destination: 'lab',
        messageType: 'ORU^R01',
        segments: [
          { segment: 'PID', fields: { '1': '1', '3.1': { $fact: 'mrn' } } },
          {
            segment: 'OBX',
            fields: { '1': '1', '2': 'ST', '3.1': 'call-outcome', '5': { $fact: 'outcome' }, '11': 'F' },
          },
        ],
        controlIdInto: 'sent.id',
        ackInto: 'sent.ack',
      },
      next: { accepted: 'done', queued: 'done', rejected: 'failed', error: 'failed' },
    },
    done: { type: 'end', typeVersion: 1, config: { outcome: 'written-back' } },
    conflict: { type: 'end', typeVersion: 1, config: { outcome: 'changed-elsewhere' } },
    failed: { type: 'end', typeVersion: 1, config: { outcome: 'failed' } },
  },
})

let fhir: FhirTestServer
let test: TestRuntime
const received: string[] = []
const receiver = createServer((socket) => {
  const framer = new MllpFramer()
  socket.on('data', (chunk: Buffer) => {
    for (const event of framer.push(chunk)) {
      if (event.kind !== 'frame') continue
      const message = event.payload.toString('utf8')
      received.push(message)
      const controlId = message.split('\r')[0]!.split('|')[9]
      socket.write(
        mllpFrame(
          `MSH|^~\\&|LIS||CAREPATH||20250301090000||ACK^R01|ACK${received.length}|P|2.5.1\rMSA|AA|${controlId}\r`,
        ),
      )
    }
  })
})

beforeAll(async () => {
  fhir = await startFhirTestServer()
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()))
  test = await createTestRuntime()
  test.runtime.hl7Outbound.configure(
    hl7OutSettingsSchema.parse({
      destinations: {
        lab: {
          host: '127.0.0.1',
          port: (receiver.address() as AddressInfo).port,
          ackTimeoutMs: 60_000,
          waitMs: 60_000,
        },
      },
    }),
  )
})
afterAll(async () => {
  test.close()
  await fhir.close()
  receiver.close()
})

function deps() {
  const connectors: Record<string, ConnectorAdapter> = {
    ...createConnectorAdapters({ fhir: { baseUrl: fhir.baseUrl, timeoutMs: TEST_CONNECTOR_TIMEOUT_MS } }),
    'hl7-out': test.runtime.hl7Outbound.adapter,
  }
  return { registry, clock: { now: () => '2025-03-01T09:00:00.000Z' }, connectors }
}

describe('writing a call outcome back to FHIR and over HL7', () => {
  it('closes the Task with the version it read and sends an ORU whose ACK is in the log', async () => {
    const task = await fhir.post('/Task', { resourceType: 'Task', status: 'in-progress', intent: 'order' })
    const run = await startRun(flow, { taskId: task.body.id, mrn: 'M100', outcome: 'eligible' }, deps(), {
      runId: 'run-wb-1',
    })
    expect(run.error).toBeUndefined()
    expect(run.outcome).toBe('written-back')
    const stored = await fhir.repo.readResource('Task', task.body.id)
    expect(stored).toMatchObject({ status: 'completed', businessStatus: { text: 'eligible' } })
    expect(received.at(-1)).toContain('\rOBX|1|ST|call-outcome||eligible||||||F\r')
    const ack = run.events.find((e) => e.type === 'connector.response' && e.data.connector === 'hl7-out')
    expect(ack?.data).toMatchObject({ response: { status: 'accepted', ack: { code: 'AA' } } })
    expect(run.facts['sent']).toMatchObject({ ack: { code: 'AA' } })
  })

  it('takes the conflict port when someone changed the Task between the read and the write', async () => {
    const task = await fhir.post('/Task', { resourceType: 'Task', status: 'in-progress', intent: 'order' })
    // Another system changes the Task while the flow is between its read and its patch.
    const fhirWithRace = deps()
    const realFhir = fhirWithRace.connectors.fhir!
    fhirWithRace.connectors.fhir = async (request, meta) => {
      const answer = await realFhir(request, meta)
      if (typeof request === 'object' && request !== null && !Array.isArray(request) && request['op'] === 'read')
        await fetch(`${fhir.baseUrl}/Task/${task.body.id}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/fhir+json' },
          body: JSON.stringify({ resourceType: 'Task', id: task.body.id, status: 'on-hold', intent: 'order' }),
        })
      return answer
    }
    const sentBefore = received.length
    const run = await startRun(flow, { taskId: task.body.id, mrn: 'M101', outcome: 'eligible' }, fhirWithRace, {
      runId: 'run-wb-2',
    })
    expect(run.outcome).toBe('changed-elsewhere')
    expect(run.path).toEqual(['start', 'read-task', 'close-task', 'conflict'])
    expect(await fhir.repo.readResource('Task', task.body.id)).toMatchObject({ status: 'on-hold' })
    expect(received.length).toBe(sentBefore)
  })
})
