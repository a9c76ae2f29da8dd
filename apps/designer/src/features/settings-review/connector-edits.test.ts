import { describe, expect, it } from 'vitest'
import { applyEdits, editsFrom } from './connector-edits.ts'

const current = {
  fhir: { baseUrl: 'https://ehr.example/fhir', headers: { Authorization: 'set' }, timeoutMs: 10_000 },
  http: { allowHosts: ['a.example', 'b.example'] },
  notify: { smtp: { host: 'smtp.example', pass: 'set' } },
}

describe('connector edits', () => {
  it('reads the form from the masked settings and writes back only what the form changed', () => {
    const edits = editsFrom(current)
    expect(edits).toEqual({
      fhirBaseUrl: 'https://ehr.example/fhir',
      fhirCredential: '',
      allowHosts: 'a.example\nb.example',
      smsUrl: '',
    })
    // Unchanged form: the same settings, credentials still "set" (the runtime keeps the stored ones).
    expect(applyEdits(current, edits)).toEqual(current)
    const next = applyEdits(current, {
      ...edits,
      fhirBaseUrl: ' https://new.example/fhir ',
      allowHosts: 'a.example\n\n c.example ',
    })
    expect(next).toEqual({
      ...current,
      fhir: { ...current.fhir, baseUrl: 'https://new.example/fhir' },
      http: { allowHosts: ['a.example', 'c.example'] },
    })
  })

  it('sends a new credential only when one is typed, and adds an SMS gateway', () => {
    const next = applyEdits(current, {
      ...editsFrom(current),
      fhirCredential: 'Bearer new',
      smsUrl: 'https://sms.example',
    })
    expect(next['fhir']).toMatchObject({ headers: { Authorization: 'Bearer new' } })
    expect(next['notify']).toEqual({ smtp: { host: 'smtp.example', pass: 'set' }, sms: { url: 'https://sms.example' } })
  })

  it('leaves settings nobody filled in absent', () => {
    expect(applyEdits({}, editsFrom({}))).toEqual({})
  })
})
