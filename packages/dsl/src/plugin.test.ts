import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineConnector, defineNodeType, type ConnectorAdapter } from './node-type.ts'
import { carepathPluginSchema, declaredConnectors, definePlugin, provideConnector } from './plugin.ts'
import { createNodeRegistry } from './registry.ts'
import { sampleFlow } from './testing/sample-flow.ts'
import { testAsk, testDecide, testEnd, testNodeTypes, testTrigger } from './testing/test-registry.ts'
import { validateFlow } from './validate.ts'

const consent = defineConnector({
  name: 'consent',
  description: 'The consent registry.',
  settingsSchema: z.object({ baseUrl: z.url() }).strict().optional(),
})
const answer: ConnectorAdapter = async () => ({ consented: true })
// test.end, calling the consent registry: the sample flow ends at it.
const endWithConsent = defineNodeType({ ...testEnd, connectors: [consent] })
const withConsent = [testTrigger, testDecide, testAsk, endWithConsent]

describe('connectors that node types declare', () => {
  it('refuses a malformed connector name, or a node type declaring one connector twice', () => {
    expect(() => defineConnector({ ...consent, name: 'Consent' })).toThrow(/one lower-case word/)
    expect(() => defineConnector({ ...consent, settingsKey: 'consent registry' })).toThrow(/one lower-case word/)
    expect(() => defineNodeType({ ...testEnd, connectors: [consent, consent] })).toThrow(/declares a connector twice/)
  })

  it('lists the connectors a set of node types calls, each once', () => {
    const other = defineNodeType({ ...testAsk, connectors: [consent] })
    expect(declaredConnectors([...testNodeTypes, endWithConsent, other]).map((c) => c.name)).toEqual(['consent'])
  })
})

describe('plugins', () => {
  it('accepts what definePlugin makes and refuses a module export of another shape', () => {
    const plugin = definePlugin({
      name: '@acme/consent',
      nodeTypes: [endWithConsent],
      connectors: [provideConnector(consent, () => answer)],
    })
    expect(carepathPluginSchema.safeParse(plugin).success).toBe(true)
    expect(carepathPluginSchema.safeParse({ name: '@acme/consent', nodeTypes: [{ type: 'x' }] }).success).toBe(false)
    expect(
      carepathPluginSchema.safeParse({ name: '@acme/consent', nodeTypes: [], connectors: [consent] }).success,
    ).toBe(false)
  })

  it('refuses a plugin providing one connector twice', () => {
    const twice = provideConnector(consent, () => answer)
    expect(() => definePlugin({ name: '@acme/consent', nodeTypes: [], connectors: [twice, twice] })).toThrow(
      'Plugin "@acme/consent" provides the connector "consent" twice.',
    )
  })
})

describe('validation of connectors against the installation', () => {
  it('warns when a node calls a connector the installation has not configured, and still counts the flow valid', () => {
    const registry = createNodeRegistry(withConsent, { connectors: { isConfigured: () => false } })
    const result = validateFlow(sampleFlow(), registry)
    expect(result.valid).toBe(true)
    expect(result.problems).toEqual([
      {
        code: 'connector-not-configured',
        severity: 'warning',
        nodeId: 'done',
        path: 'nodes.done.type',
        message:
          'The step "Test end 1" calls the "consent" connector, which this installation has not configured: its calls fail until a developer sets it up.',
      },
    ])
  })

  it('says nothing once the connector is configured, or when the registry does not know the installation', () => {
    const configured = createNodeRegistry(withConsent, { connectors: { isConfigured: (name) => name === 'consent' } })
    expect(validateFlow(sampleFlow(), configured).problems).toEqual([])
    expect(validateFlow(sampleFlow(), createNodeRegistry(withConsent)).problems).toEqual([])
  })
})
