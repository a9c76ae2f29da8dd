import { describe, expect, it } from 'vitest'
import { describeChange, diffSettings } from './settings-diff.ts'

const CANARY = 'canary-diff-0b6c4e'

describe('diffSettings', () => {
  it('lists changed settings by path, with values, sorted and the same every time', () => {
    const before = { fhir: { baseUrl: 'https://old.example/fhir', timeoutMs: 10_000 }, http: { allowHosts: ['a'] } }
    const after = { http: { allowHosts: ['a', 'b'] }, fhir: { baseUrl: 'https://new.example/fhir' } }
    const diff = diffSettings(before, after)
    expect(diff).toEqual([
      {
        path: 'fhir.baseUrl',
        change: 'changed',
        credential: false,
        before: 'https://old.example/fhir',
        after: 'https://new.example/fhir',
      },
      { path: 'fhir.timeoutMs', change: 'removed', credential: false, before: 10_000 },
      { path: 'http.allowHosts', change: 'changed', credential: false, before: ['a'], after: ['a', 'b'] },
    ])
    expect(diffSettings(before, after)).toEqual(diff)
    expect(diff.map(describeChange)).toEqual([
      'fhir.baseUrl: "https://old.example/fhir" → "https://new.example/fhir"',
      'fhir.timeoutMs: removed (was 10000)',
      'http.allowHosts: ["a"] → ["a","b"]',
    ])
  })

  it('says a credential changed, was added or removed, never its value', () => {
    const diff = diffSettings(
      {
        notify: { smtp: { host: 'smtp.example', pass: `${CANARY}-old` } },
        webhooks: { secrets: { lab: `${CANARY}-lab` } },
      },
      {
        notify: { smtp: { host: 'smtp.example', pass: `${CANARY}-new` } },
        webhooks: { secrets: {} },
        // A whole connector added with a credential inside: one change, masked.
        crm: { instanceUrl: 'https://crm.example', clientSecret: `${CANARY}-crm` },
      },
    )
    expect(diff).toEqual([
      { path: 'crm', change: 'added', credential: true },
      { path: 'notify.smtp.pass', change: 'changed', credential: true },
      { path: 'webhooks.secrets.lab', change: 'removed', credential: true },
    ])
    expect(JSON.stringify(diff)).not.toContain(CANARY)
    expect(describeChange(diff[1]!)).toBe('notify.smtp.pass: credential changed')
  })

  it('finds nothing when nothing changed', () => {
    expect(diffSettings({ http: { allowHosts: ['a'] } }, { http: { allowHosts: ['a'] } })).toEqual([])
  })
})
