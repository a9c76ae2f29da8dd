// FHIR R4 eligibility: a CoverageEligibilityRequest (patient, coverage and insurer contained, as
// the payer does not know our server's ids) and reading the CoverageEligibilityResponse.
// Rejections use the X12 reject reason code system, as Da Vinci payers do.
import { NodeError, type JsonValue } from '@carepath/dsl'
import { rejection, X12_REJECT_SYSTEM, type EligibilityAnswer, type EligibilityInquiry } from './eligibility.schema.ts'

export function buildEligibilityRequest(
  inquiry: EligibilityInquiry,
  ids: { payerId: string; payerName: string; requestId: string },
  at: Date,
): { [key: string]: JsonValue } {
  const name: { [key: string]: JsonValue } = { family: inquiry.member.lastName }
  if (inquiry.member.firstName) name['given'] = [inquiry.member.firstName]
  return {
    resourceType: 'CoverageEligibilityRequest',
    identifier: [{ system: 'urn:carepath:eligibility-request', value: ids.requestId }],
    status: 'active',
    purpose: ['validation', 'benefits'],
    patient: { reference: '#patient' },
    servicedDate: inquiry.asOf,
    created: at.toISOString(),
    insurer: { reference: '#insurer' },
    insurance: [{ focal: true, coverage: { reference: '#coverage' } }],
    item: [
      { category: { coding: [{ system: 'https://x12.org/codes/service-type-codes', code: inquiry.serviceType }] } },
    ],
    contained: [
      { resourceType: 'Patient', id: 'patient', name: [name], birthDate: inquiry.member.birthDate },
      { resourceType: 'Organization', id: 'insurer', identifier: [{ value: ids.payerId }], name: ids.payerName },
      {
        resourceType: 'Coverage',
        id: 'coverage',
        status: 'active',
        subscriberId: inquiry.member.id,
        beneficiary: { reference: '#patient' },
        payor: [{ reference: '#insurer' }],
      },
    ],
  }
}

const invalid = (detail: string) =>
  new NodeError(`The payer's answer is not a usable CoverageEligibilityResponse: ${detail}`, {
    code: 'invalid-response',
    retryable: false,
  })

type Obj = { [key: string]: unknown }
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : [])
const codeOf = (concept: unknown): string => {
  const coding = isObj(concept) ? list(concept['coding'])[0] : undefined
  return typeof coding?.['code'] === 'string' ? coding['code'] : ''
}
const money = (v: unknown): number | null => (isObj(v) && typeof v['value'] === 'number' ? v['value'] : null)

export function readEligibilityResponse(resource: unknown, requestId: string): EligibilityAnswer {
  if (!isObj(resource) || resource['resourceType'] !== 'CoverageEligibilityResponse')
    throw invalid('wrong resource type.')
  const echoed =
    list(resource['identifier']).some((i) => i['value'] === requestId) ||
    (isObj(resource['request']) &&
      resource['request']['identifier'] !== undefined &&
      isObj(resource['request']['identifier']) &&
      resource['request']['identifier']['value'] === requestId)
  if (!echoed) throw invalid('it does not answer this request (identifier differs).')
  const errors = list(resource['error'])
  if (resource['outcome'] === 'error' || errors.length > 0) {
    const rejections = errors.map((e) => {
      const coding = isObj(e['code'])
        ? list(e['code']['coding']).find((c) => c['system'] === X12_REJECT_SYSTEM)
        : undefined
      return rejection(typeof coding?.['code'] === 'string' ? coding['code'] : '')
    })
    return {
      status: 'rejected',
      plan: null,
      copay: null,
      deductible: null,
      deductibleRemaining: null,
      rejections: rejections.length ? rejections : [rejection('')],
    }
  }
  const insurance = list(resource['insurance'])[0]
  if (!insurance || typeof insurance['inforce'] !== 'boolean')
    throw invalid('it does not say whether coverage is in force.')
  const benefits = list(insurance['item']).flatMap((item) => list(item['benefit']))
  const benefit = (type: string) => benefits.find((b) => codeOf(b['type']) === type)
  const deductible = benefit('deductible')
  const allowed = money(deductible?.['allowedMoney'])
  const used = money(deductible?.['usedMoney'])
  const coverage = isObj(insurance['coverage']) ? insurance['coverage'] : {}
  return {
    status: insurance['inforce'] ? 'active' : 'inactive',
    plan: typeof coverage['display'] === 'string' ? coverage['display'] : null,
    copay: money(benefit('copay')?.['allowedMoney']),
    deductible: allowed,
    deductibleRemaining: allowed !== null && used !== null ? Math.max(0, allowed - used) : null,
    rejections: [],
  }
}
