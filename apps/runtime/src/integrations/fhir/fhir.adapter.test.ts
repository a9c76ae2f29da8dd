import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fhirCreate, fhirRead, fhirSearch } from '@carepath/nodes'
import { startFhirTestServer, type FhirTestServer } from '../testing/fhir-test-server.ts'
import { runNode } from '../testing/node-harness.ts'
import { loadSyntheaPatient, SYNTHEA_PATIENT_MRN } from '../testing/synthea-patient.ts'
import { TEST_CONNECTOR_TIMEOUT_MS } from '../../testing/wait-until.ts'
import { createFhirAdapter } from './fhir.adapter.ts'

let server: FhirTestServer
let patientId: string
let odd: Server
let oddUrl: string

beforeAll(async () => {
  server = await startFhirTestServer()
  patientId = await loadSyntheaPatient(server)
  // A peer that answers HTML on /html and never answers on /hang.
  odd = createServer((req, res) => {
    if (req.url?.startsWith('/html'))
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>')
  })
  await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', () => resolve()))
  oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`
})
afterAll(async () => {
  await server.close()
  odd.closeAllConnections()
  await new Promise((resolve) => odd.close(resolve))
})

// Peers that answer get a generous timeout: these tests are about answers, not speed. Only the
// timeout test uses a short one, against a peer that never answers.
const timeoutMs = TEST_CONNECTOR_TIMEOUT_MS
const fhir = () => ({ fhir: createFhirAdapter({ baseUrl: server.baseUrl, headers: {}, timeoutMs }) })

describe('fhir adapter against a loopback FHIR server loaded with a Synthea bundle', () => {
  it('reads a patient and extracts facts with FHIRPath', async () => {
    const { outcome } = await runNode(
      fhirRead,
      {
        resourceType: 'Patient',
        idFrom: 'patient.id',
        into: 'patient',
        extract: { family: "name.where(use='official').family", birthDate: 'birthDate', gender: 'gender' },
      },
      { facts: { patient: { id: patientId } }, connectors: fhir() },
    )
    expect(outcome).toEqual({
      kind: 'next',
      port: 'found',
      set: { 'patient.family': 'Kreiger', 'patient.birthDate': '1984-07-02', 'patient.gender': 'male' },
    })
  })

  it('routes a missing patient to notFound', async () => {
    const { outcome } = await runNode(
      fhirRead,
      { resourceType: 'Patient', idFrom: 'pid', into: 'patient' },
      { facts: { pid: 'does-not-exist' }, connectors: fhir() },
    )
    expect(outcome).toEqual({ kind: 'next', port: 'notFound' })
  })

  it('searches by identifier and by reference', async () => {
    const byId = await runNode(
      fhirSearch,
      {
        resourceType: 'Patient',
        params: [{ name: 'identifier', valueFrom: 'mrn', prefix: 'https://github.com/synthetichealth/synthea|' }],
        into: 'patient',
        extract: { id: 'id' },
      },
      { facts: { mrn: SYNTHEA_PATIENT_MRN }, connectors: fhir() },
    )
    expect(byId.outcome).toEqual({ kind: 'next', port: 'found', set: { 'patient.id': patientId } })
    const observations = await runNode(
      fhirSearch,
      {
        resourceType: 'Observation',
        params: [{ name: 'subject', valueFrom: 'pid', prefix: 'Patient/' }],
        mode: 'all',
        max: 100,
        into: 'obs',
        extract: { code: 'code.coding.first().code' },
      },
      { facts: { pid: patientId }, connectors: fhir() },
    )
    expect(observations.outcome).toMatchObject({ port: 'found' })
    expect(((observations.outcome as { set: Record<string, unknown[]> }).set['obs'] ?? []).length).toBe(48)
    const none = await runNode(
      fhirSearch,
      { resourceType: 'Patient', params: [{ name: 'identifier', value: 'no-such-mrn' }], into: 'p' },
      { connectors: fhir() },
    )
    expect(none.outcome).toEqual({ kind: 'next', port: 'notFound' })
  })

  it('creates a resource; an invalid one is refused with a plain error and never sent', async () => {
    const created = await runNode(
      fhirCreate,
      {
        resourceType: 'Task',
        resource: { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: { $fact: 'ref' } } },
        idInto: 'task.id',
      },
      { facts: { ref: `Patient/${patientId}` }, connectors: fhir() },
    )
    expect(created.error?.message).toBeUndefined()
    expect(created.outcome).toMatchObject({ port: 'created', set: { 'task.id': expect.any(String) } })
    const invalid = await runNode(
      fhirCreate,
      { resourceType: 'Patient', resource: { resourceType: 'Patient', gender: 'banana', birthDate: 'yesterday' } },
      { connectors: fhir() },
    )
    expect(invalid.error?.message).toBe('The FHIR server refused the new Patient as invalid.')
    expect(invalid.calls[0]!.response).toMatchObject({ status: 422, resource: { resourceType: 'OperationOutcome' } })
    expect(server.requests.filter((r) => r.startsWith('POST /fhir/R4/Patient'))).toEqual([])
    expect(server.requests).toContain('POST /fhir/R4/Task')
  })

  it('fails plainly on a non-FHIR answer, a timeout, an unreachable server and a missing configuration', async () => {
    const html = await runNode(
      fhirRead,
      { resourceType: 'Patient', idFrom: 'pid', into: 'p' },
      {
        facts: { pid: 'x' },
        connectors: { fhir: createFhirAdapter({ baseUrl: `${oddUrl}/html`, headers: {}, timeoutMs }) },
      },
    )
    expect(html.error?.message).toBe('The FHIR server answered with something that is not a FHIR resource.')
    const hang = await runNode(
      fhirRead,
      { resourceType: 'Patient', idFrom: 'pid', into: 'p' },
      {
        facts: { pid: 'x' },
        connectors: { fhir: createFhirAdapter({ baseUrl: `${oddUrl}/hang`, headers: {}, timeoutMs: 300 }) },
      },
    )
    expect(hang.error?.message).toBe('The FHIR server did not answer within 300 ms.')
    expect(hang.error?.options.retryable).toBe(true)
    const down = await runNode(
      fhirRead,
      { resourceType: 'Patient', idFrom: 'pid', into: 'p' },
      {
        facts: { pid: 'x' },
        connectors: { fhir: createFhirAdapter({ baseUrl: 'http://127.0.0.1:9/fhir', headers: {}, timeoutMs }) },
      },
    )
    expect(down.error?.message).toBe('The FHIR server could not be reached.')
    const none = await runNode(
      fhirRead,
      { resourceType: 'Patient', idFrom: 'pid', into: 'p' },
      { facts: { pid: 'x' }, connectors: { fhir: createFhirAdapter(undefined) } },
    )
    expect(none.error?.message).toBe('No FHIR server is configured for this environment.')
  })
})
