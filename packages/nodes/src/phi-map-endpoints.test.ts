import { describe, expect, it } from 'vitest'
import type { AnyNodeType } from '@carepath/dsl'
import { fhirRead } from './fhir-read/fhir-read.node.ts'
import { hl7Send } from './hl7-send/hl7-send.node.ts'
import { httpRequest } from './http-request/http-request.node.ts'
import { notify } from './notify/notify.node.ts'
import { payerEligibility } from './payer-eligibility/payer-eligibility.node.ts'
import { describeBuiltinEndpoints } from './phi-map-endpoints.ts'

function node(nodeType: AnyNodeType, config: Record<string, unknown>) {
  const defaults: unknown = nodeType.defaults
  const base = typeof defaults === 'object' && defaults !== null ? defaults : {}
  return { nodeId: 'n', nodeType, config: nodeType.config.parse({ ...base, ...config }) }
}
const settings = (stored: Record<string, unknown>) => (key: string) => stored[key]
const pick = (e: { system: string; channel: string; encrypted: string; encryptionNote: string; endpoint?: string }) =>
  [e.system, e.channel, e.encrypted, e.encryptionNote, e.endpoint ?? ''].join(' | ')

describe('describeBuiltinEndpoints', () => {
  const sms = node(notify, { channel: 'sms', toFrom: 'patient.phone', message: 'Hi', record: false })

  it('says "unknown" when the settings are not at hand, rather than guessing', () => {
    expect(describeBuiltinEndpoints()(sms).map(pick)).toEqual([
      'SMS gateway | sms | unknown | settings not available here | ',
    ])
  })

  it('reads the SMS gateway’s scheme and host from the notify settings, never its path or headers', () => {
    const secure = settings({ notify: { sms: { url: 'https://sms.example.org/send?key=secret' } } })
    const plain = settings({ notify: { sms: { url: 'http://10.0.0.5:8080/send' } } })
    expect(describeBuiltinEndpoints(secure)(sms).map(pick)).toEqual([
      'SMS gateway | sms | yes | https URL | sms.example.org',
    ])
    expect(describeBuiltinEndpoints(plain)(sms).map(pick)).toEqual([
      'SMS gateway | sms | no | http URL | 10.0.0.5:8080',
    ])
    expect(describeBuiltinEndpoints(settings({}))(sms).map(pick)).toEqual([
      'SMS gateway | sms | unknown | not configured in this installation | ',
    ])
    expect(describeBuiltinEndpoints(secure)(sms)[0]?.patientFacing).toBe(true)
  })

  it('tells MLLP over TLS from plain MLLP per destination', () => {
    const destinations = {
      lab: { host: 'lab.example.org', port: 2575, tls: {} },
      billing: { host: 'billing.local', port: 2576 },
    }
    const lookup = settings({ hl7out: { destinations } })
    expect(describeBuiltinEndpoints(lookup)(node(hl7Send, { destination: 'lab' })).map(pick)).toEqual([
      'HL7 destination lab | mllps | yes | MLLP over TLS | lab.example.org:2575',
    ])
    expect(describeBuiltinEndpoints(lookup)(node(hl7Send, { destination: 'billing' })).map(pick)).toEqual([
      'HL7 destination billing | mllp | no | plain MLLP, no TLS | billing.local:2576',
    ])
  })

  it('reads a payer’s URL for the format the node uses, and the FHIR server’s base URL', () => {
    const lookup = settings({
      payers: {
        acme: {
          x12: {
            url: 'http://acme.example/270',
            headers: {},
            senderId: 'CP',
            receiverId: 'ACME',
            payerName: 'Acme',
            payerId: '1',
            providerName: 'Clinic',
            providerNpi: '1234567893',
          },
        },
      },
      fhir: { baseUrl: 'https://ehr.example.org/fhir' },
    })
    expect(describeBuiltinEndpoints(lookup)(node(payerEligibility, { payer: 'acme' })).map(pick)).toEqual([
      'payer acme | x12 | no | http URL | acme.example',
    ])
    expect(describeBuiltinEndpoints(lookup)(node(fhirRead, {})).map(pick)).toEqual([
      'FHIR server | fhir | yes | https URL | ehr.example.org',
    ])
  })

  it('knows an http.request’s protection from the URL in the flow itself', () => {
    const call = node(httpRequest, { url: 'http://registry.example.org/lookup' })
    expect(describeBuiltinEndpoints()(call).map(pick)).toEqual([
      'registry.example.org | http | no | http URL | registry.example.org',
    ])
  })

  it('marks an http.request declared as a patient SMS gateway as patient-facing', () => {
    const gateway = node(httpRequest, { method: 'POST', url: 'https://sms.vendor.example/send', channel: 'sms' })
    const [described] = describeBuiltinEndpoints()(gateway)
    expect(described && pick(described)).toBe(
      'sms.vendor.example | sms over https | yes | https URL | sms.vendor.example',
    )
    expect(described?.patientFacing).toBe(true)
    const plainCall = node(httpRequest, { url: 'https://registry.example.org/lookup' })
    expect(describeBuiltinEndpoints()(plainCall)[0]?.patientFacing).toBe(false)
  })

  it('adds the FHIR server when a notification is recorded as a Communication', () => {
    const recorded = node(notify, { channel: 'email', toFrom: 'patient.email', message: 'Hi' })
    expect(describeBuiltinEndpoints()(recorded).map((e) => e.system)).toEqual(['Email (SMTP relay)', 'FHIR server'])
  })
})
