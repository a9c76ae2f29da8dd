import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { defineConnector, defineNodeType } from '../node-type.ts'
import { createNodeRegistry } from '../registry.ts'
import { sampleFlow } from '../testing/sample-flow.ts'
import { testNodeTypes, testRegistry } from '../testing/test-registry.ts'
import type { FlowDocument } from '../flow.schema.ts'
import { buildPhiMap, phiClassesUnder } from './phi-map.ts'
import { diffPhiMaps, isEmptyPhiMapDiff } from './phi-map-diff.ts'
import { phiMapSchema } from './phi-map.schema.ts'

// A connector node of its own, so the map's "sent" rows do not depend on the built-in catalog.
const pagerConnector = defineConnector({
  name: 'pager',
  description: 'A pager service.',
  settingsSchema: z.undefined(),
})
const testSend = defineNodeType({
  type: 'test.send',
  typeVersion: 1,
  title: 'Send a page',
  description: 'Sends one fact.',
  category: 'Integration',
  icon: 'P',
  config: z.object({ fact: z.string() }).strict(),
  defaults: { fact: 'amount' },
  ports: () => [{ name: 'sent', required: true }],
  reads: (c) => [c.fact],
  writes: () => ['answer'],
  phi: ['demographic', 'financial'],
  connectors: [pagerConnector],
  execute: () => ({ kind: 'next', port: 'sent' }),
})
const registry = createNodeRegistry([...testNodeTypes, testSend])

function withPage(flow: FlowDocument, fact: string): FlowDocument {
  const copy = structuredClone(flow)
  copy.nodes['page'] = {
    type: 'test.send',
    typeVersion: 1,
    title: 'Page billing',
    config: { fact },
    next: { sent: 'done' },
  }
  const check = copy.nodes['check']
  if (check) check.next = { ...check.next, low: 'page' }
  return copy
}

describe('buildPhiMap', () => {
  it('lists where each class enters, who reads and shows it, and which queues may see it', () => {
    const map = buildPhiMap(sampleFlow(), testRegistry)
    const rows = map.touchpoints.map((t) => [t.phiClass, t.kind, t.where, t.source ?? t.queue ?? '', t.facts.join(' ')])
    expect(rows).toEqual([
      ['identifier', 'enters', 'Test trigger', 'run input', 'patient.ssn'],
      ['identifier', 'may-see', 'billing', 'billing', ''],
      ['demographic', 'enters', 'Test trigger', 'run input', 'patient.name'],
      ['demographic', 'read', 'Test question', '', 'patient.name'],
      ['demographic', 'shown', 'Test question', 'agent', 'patient.name'],
      ['demographic', 'may-see', 'Agent', 'agent', ''],
      ['demographic', 'may-see', 'billing', 'billing', ''],
      ['financial', 'enters', 'Test trigger', 'run input', 'amount'],
      ['financial', 'read', 'Check amount', '', 'amount'],
      ['financial', 'may-see', 'billing', 'billing', ''],
    ])
    expect(map.classes.map((c) => c.phiClass)).toEqual(['identifier', 'demographic', 'financial'])
    expect(map.classes.find((c) => c.phiClass === 'demographic')?.productRoles).toEqual([
      'agent (working agent, billing)',
    ])
    expect(phiMapSchema.parse(map)).toEqual(map)
  })

  it('says a connector node sends what it reads, and that the encryption is unknown without settings', () => {
    const map = buildPhiMap(withPage(sampleFlow(), 'amount'), registry)
    const sent = map.touchpoints.filter((t) => t.kind === 'sent')
    expect(sent).toEqual([
      {
        phiClass: 'financial',
        kind: 'sent',
        nodeId: 'page',
        where: 'Page billing',
        facts: ['amount'],
        endpoint: {
          system: 'pager',
          channel: 'pager',
          outside: true,
          patientFacing: false,
          encrypted: 'unknown',
          encryptionNote: 'the connector does not describe its channel',
        },
      },
    ])
  })

  it('is the same byte for byte whatever order the document lists nodes and roles in', () => {
    const flow = withPage(sampleFlow(), 'patient')
    const reordered = { ...flow, nodes: Object.fromEntries(Object.entries(flow.nodes).reverse()) }
    reordered.roles = Object.fromEntries(Object.entries(flow.roles).reverse())
    expect(JSON.stringify(buildPhiMap(reordered, registry))).toBe(JSON.stringify(buildPhiMap(flow, registry)))
  })

  it('lists nodes it cannot map instead of guessing what they touch', () => {
    const flow = sampleFlow()
    flow.nodes['ghost'] = { type: 'acme.unknown', typeVersion: 1, config: {}, next: {} }
    expect(buildPhiMap(flow, testRegistry).unmapped).toEqual(['ghost'])
  })

  it('takes every class below an object path', () => {
    expect(phiClassesUnder(sampleFlow().facts, 'patient')).toEqual(['identifier', 'demographic'])
    expect(phiClassesUnder(sampleFlow().facts, 'answer')).toEqual([])
  })
})

describe('diffPhiMaps', () => {
  it('names the new outside send in plain words and nothing else', () => {
    const before = buildPhiMap(sampleFlow(), registry)
    const after = buildPhiMap(withPage(sampleFlow(), 'patient'), registry)
    const diff = diffPhiMaps(before, after)
    expect(diff.removed).toEqual([])
    expect(diff.added.map((c) => c.summary)).toEqual([
      'identifier data now read by “Page billing”',
      'identifier data now sent to pager (outside, channel: pager, encrypted: unknown) by “Page billing”',
      'demographic data now read by “Page billing”',
      'demographic data now sent to pager (outside, channel: pager, encrypted: unknown) by “Page billing”',
    ])
    expect(diff.newClasses).toEqual([])
    expect(diffPhiMaps(after, before).removed.map((c) => c.summary)[1]).toBe(
      'identifier data no longer sent to pager (outside, channel: pager, encrypted: unknown) by “Page billing”',
    )
  })

  it('does not count a renamed node as a new touchpoint', () => {
    const flow = withPage(sampleFlow(), 'amount')
    const renamed = structuredClone(flow)
    const page = renamed.nodes['page']
    if (page) page.title = 'Page the billing office'
    expect(isEmptyPhiMapDiff(diffPhiMaps(buildPhiMap(flow, registry), buildPhiMap(renamed, registry)))).toBe(true)
  })

  it('counts everything as added when nothing is published yet', () => {
    const map = buildPhiMap(sampleFlow(), testRegistry)
    const diff = diffPhiMaps(undefined, map)
    expect(diff.added).toHaveLength(map.touchpoints.length)
    expect(diff.newClasses).toEqual(['identifier', 'demographic', 'financial'])
  })
})
