// A flow reads a patient and their coverage from a real FHIR server on 127.0.0.1 (Medplum's
// router over its in-memory repository, loaded with a Synthea bundle), asks a loopback payer
// over X12 270/271, and decides. Engine, catalog and connector adapters are the production ones.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry } from '@carepath/catalog'
import type { FlowDocument } from '@carepath/dsl'
import { startRun } from '@carepath/engine'
import {
  createConnectorAdapters,
  loadSyntheaPatient,
  startFhirTestServer,
  startPayerStub,
  SYNTHEA_PATIENT_MRN,
  TEST_CONNECTOR_TIMEOUT_MS,
  type FhirTestServer,
  type PayerStub,
} from '@carepath/runtime/testing'

const exampleFlow = JSON.parse(
  readFileSync(new URL('../../examples/eligibility-verification.flow.json', import.meta.url), 'utf8'),
) as FlowDocument

const s = (phi: string, extra: object = {}) => ({ type: 'string', 'x-phi': phi, ...extra })
const flow = {
  dsl: 'carepath.flow/1',
  id: 'fhir-eligibility-check',
  version: 1,
  title: 'Eligibility from the EHR record',
  facts: {
    type: 'object',
    properties: {
      mrn: s('identifier'),
      patient: {
        type: 'object',
        properties: {
          id: s('identifier'),
          firstName: s('demographic'),
          lastName: s('demographic'),
          birthDate: s('demographic', { format: 'date' }),
        },
      },
      coverage: {
        type: 'object',
        properties: { memberId: s('identifier'), payerId: s('coverage'), status: s('coverage') },
      },
      eligibility: exampleFlow.facts.properties!['eligibility']!,
    },
  },
  roles: {},
  start: 'start',
  nodes: {
    start: { type: 'trigger.api', typeVersion: 1, config: { requiredInputs: ['mrn'] }, next: { next: 'find-patient' } },
    'find-patient': {
      type: 'fhir.search',
      typeVersion: 1,
      config: {
        resourceType: 'Patient',
        params: [{ name: 'identifier', valueFrom: 'mrn', prefix: 'https://github.com/synthetichealth/synthea|' }],
        into: 'patient',
        extract: {
          id: 'id',
          firstName: "name.where(use = 'official').given.first()",
          lastName: "name.where(use = 'official').family",
          birthDate: 'birthDate',
        },
      },
      next: { found: 'find-coverage', notFound: 'no-patient', error: 'failed' },
    },
    'find-coverage': {
      type: 'fhir.search',
      typeVersion: 1,
      config: {
        resourceType: 'Coverage',
        params: [
          { name: 'beneficiary', valueFrom: 'patient.id', prefix: 'Patient/' },
          { name: 'status', value: 'active' },
        ],
        into: 'coverage',
        extract: { memberId: 'subscriberId', payerId: 'payor.first().display', status: 'status' },
      },
      next: { found: 'ask-payer', notFound: 'no-coverage', error: 'failed' },
    },
    'ask-payer': {
      type: 'payer.eligibility',
      typeVersion: 1,
      config: {
        format: 'x12',
        payer: 'acme',
        memberIdFrom: 'coverage.memberId',
        lastNameFrom: 'patient.lastName',
        firstNameFrom: 'patient.firstName',
        birthDateFrom: 'patient.birthDate',
        into: 'eligibility',
      },
      next: { active: 'cost-check', inactive: 'inactive', rejected: 'rejected', error: 'failed' },
    },
    // The example flow's own cost rule: copay above $50 or more than $500 deductible left.
    'cost-check': {
      ...exampleFlow.nodes['cost-check']!,
      next: { estimate: 'needs-estimate', 'no-estimate': 'verified' },
    },
    verified: { type: 'end', typeVersion: 1, config: { outcome: 'verified' } },
    'needs-estimate': { type: 'end', typeVersion: 1, config: { outcome: 'needs-estimate' } },
    inactive: { type: 'end', typeVersion: 1, config: { outcome: 'coverage-inactive' } },
    rejected: { type: 'end', typeVersion: 1, config: { outcome: 'payer-rejected' } },
    'no-patient': { type: 'end', typeVersion: 1, config: { outcome: 'patient-not-found' } },
    'no-coverage': { type: 'end', typeVersion: 1, config: { outcome: 'no-coverage' } },
    failed: { type: 'end', typeVersion: 1, config: { outcome: 'failed' } },
  },
} as unknown as FlowDocument

let fhir: FhirTestServer
let payer: PayerStub

beforeAll(async () => {
  fhir = await startFhirTestServer()
  const patientId = await loadSyntheaPatient(fhir)
  // Synthea keeps the coverage only inside its claims (a contained "private" Coverage without a
  // member id); the EHR record a front desk works from has a standalone one, made here from it.
  const coverage = await fhir.post('/Coverage', {
    resourceType: 'Coverage',
    status: 'active',
    type: { text: 'private' },
    subscriberId: 'M123456789',
    beneficiary: { reference: `Patient/${patientId}` },
    payor: [{ display: 'ACME HEALTH' }],
  })
  expect(coverage.status).toBe(201)
  payer = await startPayerStub({
    M123456789: {
      lastName: 'Kreiger',
      birthDate: '1984-07-02',
      active: true,
      plan: 'GOLD 123 PLAN',
      copay: 20,
      deductible: 1000,
      deductibleRemaining: 100,
    },
  })
})
afterAll(async () => {
  await fhir.close()
  await payer.close()
})

// Peers that answer get a generous timeout; only the payer-down case uses a short one (it hangs).
function deps(payerTimeoutMs = TEST_CONNECTOR_TIMEOUT_MS) {
  const connectors = createConnectorAdapters({
    fhir: { baseUrl: fhir.baseUrl, timeoutMs: TEST_CONNECTOR_TIMEOUT_MS },
    payers: {
      acme: {
        x12: {
          url: `${payer.url}/x12`,
          senderId: 'CAREPATH',
          receiverId: 'ACME',
          payerName: 'ACME HEALTH',
          payerId: '842610001',
          providerName: 'CAREPATH CLINIC',
          providerNpi: '1234567893',
        },
        timeoutMs: payerTimeoutMs,
      },
    },
  })
  return { registry, clock: { now: () => '2025-03-01T09:00:00.000Z' }, connectors }
}

describe('eligibility from a loopback FHIR server and a loopback payer', () => {
  it('reads patient and coverage from FHIR, asks the payer over X12, and ends verified', async () => {
    const run = await startRun(flow, { mrn: SYNTHEA_PATIENT_MRN }, deps(), { runId: 'run-elig-1' })
    expect(run.error).toBeUndefined()
    expect(run.outcome).toBe('verified')
    expect(run.path).toEqual(['start', 'find-patient', 'find-coverage', 'ask-payer', 'cost-check', 'verified'])
    expect(run.facts['patient']).toMatchObject({ firstName: 'Clemente', lastName: 'Kreiger', birthDate: '1984-07-02' })
    expect(run.facts['coverage']).toEqual({ memberId: 'M123456789', payerId: 'ACME HEALTH', status: 'active' })
    expect(run.facts['eligibility']).toMatchObject({
      status: 'active',
      plan: 'GOLD 123 PLAN',
      copay: 20,
      deductibleRemaining: 100,
    })
    // Every connector call is in the run's event log, request and response.
    const calls = run.events
      .filter((e) => e.type === 'connector.request')
      .map((e) => (e.data as { connector: string }).connector)
    expect(calls).toEqual(['fhir', 'fhir', 'payer'])
    expect(payer.received.at(-1)).toContain('NM1*IL*1*KREIGER*CLEMENTE****MI*M123456789~')
  })

  it('decides from what the payer says: a higher deductible left needs an estimate, an unknown member is rejected', async () => {
    payer.members.set('M123456789', {
      lastName: 'Kreiger',
      birthDate: '1984-07-02',
      active: true,
      plan: 'GOLD 123 PLAN',
      copay: 20,
      deductible: 1000,
      deductibleRemaining: 900,
    })
    expect((await startRun(flow, { mrn: SYNTHEA_PATIENT_MRN }, deps(), { runId: 'run-elig-2' })).outcome).toBe(
      'needs-estimate',
    )
    payer.members.delete('M123456789')
    const rejected = await startRun(flow, { mrn: SYNTHEA_PATIENT_MRN }, deps(), { runId: 'run-elig-3' })
    expect(rejected.outcome).toBe('payer-rejected')
    expect(rejected.facts['eligibility']).toMatchObject({ invalidMember: true, rejections: [{ code: '72' }] })
  })

  it('ends not found for an MRN the EHR does not know, and takes the error port when the payer is down', async () => {
    expect((await startRun(flow, { mrn: 'no-such-mrn' }, deps(), { runId: 'run-elig-4' })).outcome).toBe(
      'patient-not-found',
    )
    payer.mode = 'hang'
    const down = await startRun(flow, { mrn: SYNTHEA_PATIENT_MRN }, deps(300), { runId: 'run-elig-5' })
    payer.mode = 'normal'
    expect(down.outcome).toBe('failed')
    const response = down.events.find((e) => e.type === 'connector.response' && e.data.connector === 'payer')
    expect(response?.data).toMatchObject({ error: 'The payer did not answer within 300 ms.' })
  })
})
