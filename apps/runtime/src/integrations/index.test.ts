import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineConnector, provideConnector } from '@carepath/dsl'
import { builtinConnectors, createConnectorAdapters, isConnectorConfigured } from './index.ts'

const meta = { runId: 'r', nodeId: 'n', attempt: 1 }

describe('createConnectorAdapters', () => {
  it('offers every connector, each refusing plainly what is not configured', async () => {
    const adapters = createConnectorAdapters({})
    expect(Object.keys(adapters).sort()).toEqual(['crm', 'fhir', 'http', 'notify', 'payer'])
    await expect(adapters['fhir']!({ op: 'read', resourceType: 'Patient', id: 'p1' }, meta)).rejects.toThrow(
      'No FHIR server is configured for this environment.',
    )
    await expect(
      adapters['payer']!(
        {
          format: 'x12',
          payer: 'acme',
          serviceType: '30',
          asOf: '2025-01-01',
          member: { id: 'M', lastName: 'X', birthDate: '1970-01-01' },
        },
        meta,
      ),
    ).rejects.toThrow('No payer named "acme" is configured')
    await expect(adapters['http']!({ method: 'GET', url: 'https://example.org/' }, meta)).rejects.toThrow(
      "not on this environment's allow-list",
    )
  })

  it('turns invalid settings into one plain error naming the setting, on every connector', async () => {
    const adapters = createConnectorAdapters({ fhir: { baseUrl: 'ftp://ehr.example.org' } })
    for (const adapter of Object.values(adapters)) {
      await expect(adapter({}, meta)).rejects.toThrow(
        'The integration settings are invalid at "fhir.baseUrl"; a developer must correct them.',
      )
    }
    const short = createConnectorAdapters({
      payers: {
        acme: {
          x12: {
            url: 'http://127.0.0.1:1/x12',
            senderId: 'C',
            receiverId: 'ACME',
            payerName: 'A',
            payerId: '1',
            providerName: 'C',
            providerNpi: '1234567893',
          },
        },
      },
    })
    await expect(short['payer']!({}, meta)).rejects.toThrow('payers.acme.x12.senderId')
  })

  it('refuses malformed connector requests without reaching out', async () => {
    const adapters = createConnectorAdapters({
      fhir: { baseUrl: 'http://127.0.0.1:1/fhir' },
      http: { allowHosts: ['127.0.0.1:1'] },
    })
    await expect(adapters['fhir']!({ op: 'delete', resourceType: 'Patient' }, meta)).rejects.toThrow(
      'The FHIR request is malformed.',
    )
    await expect(adapters['http']!({ method: 'TRACE', url: 'http://127.0.0.1:1/' }, meta)).rejects.toThrow(
      'The HTTP request is malformed.',
    )
    await expect(adapters['notify']!({ channel: 'pigeon', body: 'x' }, meta)).rejects.toThrow(
      'The notification request is malformed.',
    )
  })
})

describe('connectors from installed packages', () => {
  const consent = provideConnector(
    defineConnector({
      name: 'consent',
      description: 'A consent registry.',
      settingsSchema: z.object({ baseUrl: z.url() }).strict().optional(),
    }),
    (settings) => async () => ({ registry: settings?.baseUrl ?? null }),
  )
  const installed = [...builtinConnectors, consent]

  it("builds a package's adapter from its own settings key, beside the built-in ones", async () => {
    const adapters = createConnectorAdapters({ consent: { baseUrl: 'https://consent.example/' } }, {}, installed)
    expect(Object.keys(adapters).sort()).toEqual(['consent', 'crm', 'fhir', 'http', 'notify', 'payer'])
    await expect(adapters['consent']!({}, meta)).resolves.toEqual({ registry: 'https://consent.example/' })
    // Invalid settings of a package's connector stop every connector with one plain message, like the built-ins'.
    const invalid = createConnectorAdapters({ consent: { baseUrl: 'not a url' } }, {}, installed)
    await expect(invalid['fhir']!({}, meta)).rejects.toThrow('invalid at "consent.baseUrl"')
  })

  it('says a connector is configured only when its settings are stored and usable', () => {
    expect(isConnectorConfigured(consent, {})).toBe(false)
    expect(isConnectorConfigured(consent, { consent: { baseUrl: 'nope' } })).toBe(false)
    expect(isConnectorConfigured(consent, { consent: { baseUrl: 'https://consent.example/' } })).toBe(true)
    const [fhir, payer, http, notify] = builtinConnectors
    expect([fhir, payer, http, notify].map((c) => isConnectorConfigured(c!, {}))).toEqual([false, false, false, true])
    expect(isConnectorConfigured(payer!, { payers: {} })).toBe(false)
    expect(isConnectorConfigured(http!, { http: { allowHosts: ['api.example.org'] } })).toBe(true)
  })
})
