// The PHI touchpoint map of the shipped example flows, row by row where it matters: what each
// flow sends to which outside system, where patient data enters, and that every node is mapped.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import { buildPhiMap, exportPhiMap, flowDocumentSchema, PHI_MAP_FORMATS, type PhiMap } from '@carepath/dsl'
import { describeBuiltinEndpoints } from '@carepath/nodes'

const { registry } = composeCatalog([builtinPlugin])
const examples = join(import.meta.dirname, '../../../../examples')
const mapOf = (name: string): PhiMap =>
  buildPhiMap(
    flowDocumentSchema.parse(JSON.parse(readFileSync(join(examples, `${name}.flow.json`), 'utf8'))),
    registry,
    { describeEndpoints: describeBuiltinEndpoints() },
  )
const rows = (map: PhiMap, kind: string) =>
  map.touchpoints
    .filter((t) => t.kind === kind)
    .map(
      (t) => `${t.phiClass} | ${t.where} | ${t.endpoint?.system ?? t.source ?? t.queue ?? ''} | ${t.facts.join(' ')}`,
    )

describe('PHI map of the example flows', () => {
  it('discharge follow-up: the text carries a first name and the phone, never the diagnosis', () => {
    const map = mapOf('discharge-follow-up')
    expect(rows(map, 'sent')).toEqual([
      'identifier | Book the follow-up visit (7 days) | FHIR server | patient.mrn',
      'identifier | Text follow-up instructions (no diagnosis) | FHIR server | patient.mrn',
      'demographic | Text follow-up instructions (no diagnosis) | FHIR server | patient.firstName',
      'demographic | Text follow-up instructions (no diagnosis) | SMS gateway | patient.firstName',
      'contact | Text follow-up instructions (no diagnosis) | SMS gateway | patient.phone',
    ])
    const clinical = map.classes.find((c) => c.phiClass === 'clinical')
    expect(clinical?.sentTo).toEqual([])
    expect(clinical?.enters).toEqual(['ADT message received (run input)', 'Medication reconciliation (human answer)'])
  })

  it('prior authorization: clinical data goes to the gateway named in the flow, over https', () => {
    const sent = mapOf('prior-authorization').touchpoints.filter((t) => t.kind === 'sent' && t.phiClass === 'clinical')
    expect(sent).toEqual([
      {
        phiClass: 'clinical',
        kind: 'sent',
        nodeId: expect.any(String),
        where: 'Submit to the prior-auth gateway',
        facts: ['paRequest'],
        endpoint: {
          system: 'pa-gateway.example',
          channel: 'https',
          endpoint: 'pa-gateway.example',
          outside: true,
          patientFacing: false,
          encrypted: 'yes',
          encryptionNote: 'https URL',
        },
      },
    ])
  })

  it('eligibility verification: member id and name go to the payer over X12; benefits come back', () => {
    const map = mapOf('eligibility-verification')
    expect(rows(map, 'sent').filter((r) => r.includes('payer'))).toEqual([
      'identifier | Ask the payer (270/271) | payer default | coverage.memberId',
      'demographic | Ask the payer (270/271) | payer default | patient.birthDate patient.firstName patient.lastName',
    ])
    expect(rows(map, 'enters')).toContain('coverage | Ask the payer (270/271) | connector response | eligibility')
  })

  it('lab result routing: the raw message enters at the trigger and only its queues see results', () => {
    const map = mapOf('lab-result-routing')
    expect(rows(map, 'enters')).toContain('sensitive | ORU^R01 received | trigger | message')
    expect(rows(map, 'shown').filter((r) => r.startsWith('clinical'))).toEqual([
      'clinical | Critical value call with read-back | nurse | result.flags result.glucose result.hemoglobin result.potassium',
      'clinical | Review the abnormal result | clinician | result.flags result.glucose result.hemoglobin result.potassium',
    ])
    expect(map.classes.find((c) => c.phiClass === 'clinical')?.productRoles).toEqual([
      'agent (working clinician, nurse)',
    ])
  })

  it('maps every node of every example, the same way every time', () => {
    const names = readdirSync(examples)
      .filter((f) => f.endsWith('.flow.json'))
      .map((f) => f.replace(/\.flow\.json$/, ''))
    expect(names.length).toBeGreaterThanOrEqual(9)
    for (const name of names) {
      const map = mapOf(name)
      expect(map.unmapped, name).toEqual([])
      // The integration intake tracks an interface project, not a patient: it holds no PHI at all.
      if (name === 'integration-intake') expect(map.touchpoints, name).toEqual([])
      else expect(map.touchpoints.length, name).toBeGreaterThan(0)
      for (const format of PHI_MAP_FORMATS) expect(exportPhiMap(mapOf(name), format)).toBe(exportPhiMap(map, format))
    }
  })
})
