import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { contentHash } from './content-hash.ts'
import { documentHash } from './document-hash.ts'
import type { FlowDocument } from './flow.schema.ts'
import { changeFootprint, type FootprintKind } from './footprint.ts'
import { defineConnector, defineNodeType } from './node-type.ts'
import { createNodeRegistry } from './registry.ts'
import { sampleFlow } from './testing/sample-flow.ts'
import { testAsk, testDecide, testEnd, testTrigger } from './testing/test-registry.ts'

/** A connector step like http.request or notify: sends the fact it reads to `url` by `channel`. */
const testSend = defineNodeType({
  type: 'test.send',
  typeVersion: 1,
  title: 'Test send',
  description: 'Sends a fact outside.',
  category: 'Integration',
  icon: 'S',
  config: z.object({ url: z.string(), bodyFrom: z.string(), channel: z.enum(['log', 'sms']).default('log') }).strict(),
  defaults: { url: 'https://example.org', bodyFrom: 'amount' },
  ports: () => [{ name: 'sent', required: true }],
  reads: (c) => [c.bodyFrom],
  writes: () => [],
  phi: ['clinical', 'financial'],
  connectors: [defineConnector({ name: 'gateway', description: 'A test gateway.', settingsSchema: z.unknown() })],
  execute: () => ({ kind: 'next', port: 'sent' }),
})
const registry = createNodeRegistry([testTrigger, testDecide, testAsk, testEnd, testSend])

/** The sample flow with a lab value in its facts. */
function published(): FlowDocument {
  const doc = sampleFlow()
  doc.facts.properties!['lab'] = {
    type: 'object',
    properties: { potassium: { type: 'number', 'x-phi': 'clinical' } },
  }
  return doc
}

/** The published flow with an SMS step sending the lab value out, between `check` and `done`. */
function withSms(): FlowDocument {
  const doc = published()
  doc.nodes['check']!.next = { high: 'ask', low: 'sms' }
  doc.nodes['sms'] = {
    type: 'test.send',
    typeVersion: 1,
    title: 'Text the result',
    config: { url: 'https://sms.example.net/send', bodyFrom: 'lab', channel: 'sms' },
    next: { sent: 'done' },
  }
  return doc
}

const kinds = (items: { kind: FootprintKind }[]) => items.map((i) => i.kind)

describe('changeFootprint', () => {
  it('is empty when nothing a reader sees changed (layout and revision number aside)', () => {
    const draft = published()
    draft.layout = { intake: { x: 5, y: 5 } }
    draft.version = 9
    expect(changeFootprint(published(), draft, registry)).toEqual([])
  })

  it('names a PHI class newly sent outside, the new connector, host and patient channel, by step title', () => {
    const items = changeFootprint(published(), withSms(), registry)
    expect(kinds(items)).toEqual([
      'phi-sent-outside',
      'phi-read',
      'outside-connector',
      'outside-connector',
      'patient-facing',
      'behaviour',
    ])
    expect(items[0]).toEqual({
      kind: 'phi-sent-outside',
      reason: 'clinical data is newly sent outside by “Text the result”.',
      nodes: ['sms'],
    })
    expect(items[2]!.reason).toBe('The gateway connector is newly called by “Text the result”.')
    expect(items[3]!.reason).toBe('“Text the result” newly reaches the outside endpoint sms.example.net.')
    expect(items[4]!.reason).toBe(
      '“Text the result” newly messages people by SMS text message through sms.example.net (a patient-facing channel).',
    )
    expect(items[5]!.reason).toContain('Steps added: “Text the result”')
  })

  it('does not list a class already sent by the published version', () => {
    const before = withSms()
    const after = withSms()
    after.nodes['sms']!.config['url'] = 'https://sms.example.net/v2/send'
    expect(kinds(changeFootprint(before, after, registry))).toEqual(['behaviour'])
  })

  it('lists a new PHI class written by a step', () => {
    const after = published()
    after.nodes['ask']!.config['answerInto'] = 'lab.potassium'
    const items = changeFootprint(published(), after, registry)
    expect(items.find((i) => i.kind === 'phi-written')?.reason).toBe('clinical data is newly written by “Test ask 1”.')
  })

  it('calls a changed literal of a decision a threshold change, with before and after', () => {
    const after = published()
    after.nodes['check']!.config['threshold'] = 250
    expect(changeFootprint(published(), after, registry)).toEqual([
      {
        kind: 'threshold',
        reason: 'The decision “Check amount” compares against new values: 100 → 250.',
        nodes: ['check'],
      },
    ])
  })

  it('calls a changed compared fact other behaviour, not a threshold', () => {
    const after = published()
    after.nodes['check']!.config['fact'] = 'lab.potassium'
    expect(kinds(changeFootprint(published(), after, registry))).toEqual(['phi-read', 'behaviour'])
  })

  it('calls a change of titles and descriptions text only; the content hash keeps, the document hash moves', () => {
    const after = published()
    after.title = 'Sample flow, renamed'
    after.nodes['check']!.title = 'Check the amount due'
    expect(contentHash(after)).toBe(contentHash(published()))
    expect(documentHash(after)).not.toBe(documentHash(published()))
    expect(changeFootprint(published(), after, registry)).toEqual([
      {
        kind: 'text',
        reason: 'Text changed: the flow’s own text; the title or description of “Check the amount due”.',
        nodes: [],
      },
    ])
  })

  it('lists everything a new flow touches (no published version)', () => {
    const items = changeFootprint(null, withSms(), registry)
    expect(kinds(items)).toContain('phi-sent-outside')
    expect(items.at(-1)).toEqual({
      kind: 'behaviour',
      reason: 'A new flow with 5 steps.',
      nodes: ['ask', 'check', 'done', 'intake', 'sms'],
    })
  })

  it('gives the same items for the same inputs (deterministic)', () => {
    const once = JSON.stringify(changeFootprint(published(), withSms(), registry))
    expect(JSON.stringify(changeFootprint(published(), withSms(), registry))).toBe(once)
  })
})

describe('documentHash', () => {
  it('ignores layout and the revision number, and covers role and facts text', () => {
    const base = documentHash(published())
    const moved = published()
    moved.layout = {}
    moved.version = 3
    expect(documentHash(moved)).toBe(base)
    const role = published()
    role.roles['agent']!.title = 'Care coordinator'
    expect(documentHash(role)).not.toBe(base)
    const facts = published()
    facts.facts.properties!['amount']!.description = 'What the patient owes'
    expect(documentHash(facts)).not.toBe(base)
  })
})
