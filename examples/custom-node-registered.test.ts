// Proofs that installing the package is all a new node type needs: the production palette does
// not have `npi.lookup`; a host that composes the package's `carepathPlugin` does, with a
// generated inspector schema; flows using it validate, and it runs in the engine and in the
// runtime (published through review, started through the API, its connector configured through
// the settings API). The simulator proof is in examples.test.ts with the other simulations, and
// custom-node/serve.test.ts proves the same under `carepath serve` installed by configuration.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { validateFlow, type ConnectorAdapter, type FlowDocument, type JsonValue } from '@carepath/dsl'
import { builtinPlugin, composeCatalog, registry as productionRegistry } from '@carepath/catalog'
import { startRun, resumeRun } from '@carepath/engine'
import { carepathPlugin, npiLookup } from '@carepath/example-npi-lookup'
import { createTestRuntime } from '@carepath/runtime/testing'

// What a host with the example installed composes (as the examples and tests do).
const { registry } = composeCatalog([builtinPlugin, carepathPlugin])

const flow = JSON.parse(
  readFileSync(new URL('./custom-node/referral-npi-check.flow.json', import.meta.url), 'utf8'),
) as FlowDocument

const nppesAnswer: JsonValue = {
  result_count: 1,
  results: [
    {
      basic: { first_name: 'ROBERT', last_name: 'POWELL', status: 'A' },
      taxonomies: [{ desc: 'Family Medicine', primary: true }],
    },
  ],
}

function deps(npi: ConnectorAdapter) {
  return { registry, clock: { now: () => '2026-11-22T12:00:00.000Z' }, connectors: { npi } }
}

describe('npi.lookup, once its package is installed', () => {
  it('is not in the production palette, which installs no example', () => {
    expect(productionRegistry.has('npi.lookup')).toBe(false)
    expect(validateFlow(flow, productionRegistry).problems.map((p) => `${p.nodeId}:${p.code}`)).toContain(
      'lookup:unknown-node-type',
    )
  })

  it('is one of the installed node types and sits in the Integration group of the palette', () => {
    expect(registry.get('npi.lookup')).toBe(npiLookup)
    const integration = registry.palette().find((group) => group.category === 'Integration')
    expect(integration?.types.map((t) => t.type)).toContain('npi.lookup')
  })

  it('gives the designer an inspector schema with its fields, defaults and help texts', () => {
    const schema = z.toJSONSchema(registry.get('npi.lookup')!.config, { io: 'input' }) as {
      properties: Record<string, { type?: string; default?: unknown; description?: string }>
      required?: string[]
    }
    expect(schema.properties['requireActive']).toMatchObject({ type: 'boolean', default: true })
    expect(schema.required).toEqual(['npiFrom', 'into'])
    expect(schema.properties['into']?.description).toMatch(/<into>\.name/)
  })

  it('validates in a flow, and validation catches a missing required port and an unknown fact path', () => {
    expect(validateFlow(flow, registry).problems).toEqual([])
    const broken = structuredClone(flow)
    const lookup = broken.nodes['lookup']!
    lookup.next = { found: 'verified' }
    lookup.config = { ...lookup.config, npiFrom: 'referral.npi' }
    const codes = validateFlow(broken, registry).problems.map((p) => `${p.nodeId}:${p.code}`)
    expect(codes).toContain('lookup:missing-required-port')
    expect(codes).toContain('lookup:unknown-fact-path')
  })

  it('runs in the engine: a found NPI ends verified with the provider written to the facts', async () => {
    const requests: JsonValue[] = []
    const state = await startRun(
      flow,
      { referral: { id: '11001', referringNpi: '1234567893' } },
      deps(async (request) => {
        requests.push(request)
        return nppesAnswer
      }),
      { runId: 'npi-1' },
    )
    expect(state.outcome).toBe('referrer-verified')
    expect(state.facts['referrer']).toEqual({ name: 'ROBERT POWELL', taxonomy: 'Family Medicine', active: true })
    expect(requests).toEqual([{ number: '1234567893' }])
  })

  it('runs in the engine: a registry outage takes the error port to a coordinator task, then the answer ends the run', async () => {
    const d = deps(async () => {
      throw new Error('NPI registry answered HTTP 503')
    })
    const waiting = await startRun(flow, { referral: { id: '11004', referringNpi: '1234567893' } }, d, {
      runId: 'npi-2',
    })
    expect(waiting.status).toBe('waiting')
    expect(waiting.openTask).toMatchObject({
      nodeId: 'check-by-phone',
      request: { role: 'referral-coordinator', shows: ['referral.id', 'referral.referringNpi'] },
    })
    const done = await resumeRun(
      flow,
      waiting.events,
      { type: 'answer', taskId: waiting.openTask!.taskId, answer: { value: 'confirmed' } },
      d,
    )
    expect(done.outcome).toBe('referrer-verified-by-phone')
  })

  it('runs in the runtime: published through review, started through the API, with the npi connector injected', async () => {
    const requests: JsonValue[] = []
    const t = await createTestRuntime({
      registry,
      connectors: {
        npi: async (request) => {
          requests.push(request)
          return nppesAnswer
        },
      },
    })
    try {
      const created = await t.as.analyst.flows.create({ document: flow })
      await t.as.analyst.review.submit({ id: flow.id })
      await t.as.reviewer.review.approve({ id: flow.id, hash: created.hash, comment: 'npi check' })
      await t.as.reviewer.review.publish({ id: flow.id, hash: created.hash })
      const run = await t.as.agent.runs.start({
        flowId: flow.id,
        input: { referral: { id: '11001', referringNpi: '1234567893' } },
        idempotencyKey: 'npi-1',
      })
      expect(run).toMatchObject({ status: 'completed', outcome: 'referrer-verified' })
      expect(requests).toEqual([{ number: '1234567893' }])
    } finally {
      t.close()
    }
  })

  it('runs in a runtime that installs the package: validation warns until the npi connector is configured through settings, then a run reaches the registry', async () => {
    const asked: string[] = []
    const nppes = createServer((req, res) => {
      asked.push(req.url ?? '')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(nppesAnswer))
    })
    await new Promise<void>((resolve) => nppes.listen(0, '127.0.0.1', resolve))
    const baseUrl = `http://127.0.0.1:${(nppes.address() as AddressInfo).port}/api/`
    // The runtime composes its own registry and adapters from the installed packages.
    const t = await createTestRuntime({ plugins: [carepathPlugin], registry: undefined, connectors: undefined })
    try {
      const warnings = () =>
        validateFlow(flow, t.runtime.registry)
          .problems.filter((p) => p.severity === 'warning')
          .map((p) => `${p.nodeId}:${p.code}`)
      expect(warnings()).toEqual(['lookup:connector-not-configured'])
      const created = await t.as.analyst.flows.create({ document: flow })
      expect(created.warnings.map((p) => `${p.nodeId}:${p.code}`)).toEqual(['lookup:connector-not-configured'])
      await t.as.analyst.review.submit({ id: flow.id })
      // The publish gate says so too, without blocking: settings are per environment.
      // (Its human step's queue is warned about too: nobody in the test runtime works it.)
      const connectorWarnings = async () =>
        (await t.as.reviewer.review.get({ id: flow.id })).publishWarnings.filter((w) => w.includes('connector'))
      expect(await connectorWarnings()).toEqual([
        expect.stringContaining(
          'The step "Look up the referring NPI" calls the "npi" connector, which this installation has not configured',
        ),
      ])

      await t.as.developer.settings.setIntegrations({ npi: { baseUrl } })
      expect(warnings()).toEqual([])
      expect(await connectorWarnings()).toEqual([])
      await t.as.reviewer.review.approve({ id: flow.id, hash: created.hash, comment: 'npi check' })
      await t.as.reviewer.review.publish({ id: flow.id, hash: created.hash })
      const run = await t.as.agent.runs.start({
        flowId: flow.id,
        input: { referral: { id: '11001', referringNpi: '1234567893' } },
        idempotencyKey: 'npi-settings-1',
      })
      expect(run).toMatchObject({ status: 'completed', outcome: 'referrer-verified' })
      expect(asked).toEqual(['/api/?version=2.1&number=1234567893'])
    } finally {
      t.close()
      await new Promise((resolve) => nppes.close(resolve))
    }
  })
})
