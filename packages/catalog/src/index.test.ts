import { describe, expect, it } from 'vitest'
import { defineConnector, defineNodeType, definePlugin, provideConnector } from '@carepath/dsl'
import { builtinNodeTypes, end, fhirSettingsSchema } from '@carepath/nodes'
import { builtinPlugin, composeCatalog, registry } from './index.ts'

const consent = defineConnector({
  name: 'consent',
  description: 'A consent registry.',
  // Any zod schema will do here: the catalog only composes, the runtime parses settings.
  settingsSchema: fhirSettingsSchema.optional(),
})
const consentCheck = defineNodeType({ ...end, type: 'consent.check', title: 'Consent check', connectors: [consent] })
const consentPackage = definePlugin({
  name: '@acme/consent',
  nodeTypes: [consentCheck],
  connectors: [provideConnector(consent, () => async () => ({ consented: true }))],
})

describe('the host-composed catalog', () => {
  it('installs only the built-in node types in production', () => {
    expect(registry.list().map((t) => t.type)).toEqual(builtinNodeTypes.map((t) => t.type).sort())
  })

  it('adds a package’s node types and connectors, and lists every connector a node type calls', () => {
    const catalog = composeCatalog([builtinPlugin, consentPackage])
    expect(catalog.registry.get('consent.check')).toBe(consentCheck)
    expect(catalog.connectors.map((c) => c.name)).toEqual(['consent'])
    expect(catalog.declared.map((c) => c.name).sort()).toEqual([
      'consent',
      'crm',
      'fhir',
      'hl7-out',
      'http',
      'notify',
      'payer',
    ])
  })

  it('refuses two packages bringing the same node type or connector, naming both', () => {
    const copy = definePlugin({ ...consentPackage, name: '@other/consent' })
    expect(() => composeCatalog([consentPackage, copy])).toThrow(
      'The node type "consent.check" comes from both @acme/consent and @other/consent.',
    )
    expect(() => composeCatalog([consentPackage, { ...copy, nodeTypes: [] }])).toThrow(
      'The connector "consent" comes from both @acme/consent and @other/consent.',
    )
  })

  it('asks the host, live, whether a connector is configured', () => {
    let configured = false
    const catalog = composeCatalog([builtinPlugin, consentPackage], { connectors: { isConfigured: () => configured } })
    expect(catalog.registry.connectorConfigured('consent')).toBe(false)
    configured = true
    expect(catalog.registry.connectorConfigured('consent')).toBe(true)
  })
})
