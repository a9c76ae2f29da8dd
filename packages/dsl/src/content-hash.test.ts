import { describe, expect, it } from 'vitest'
import { contentHash } from './content-hash.ts'
import { sampleFlow } from './testing/sample-flow.ts'

type Doc = ReturnType<typeof sampleFlow>
const hashAfter = (change: (doc: Doc) => void) => {
  const doc = sampleFlow()
  change(doc)
  return contentHash(doc)
}

describe('contentHash', () => {
  const base = contentHash(sampleFlow())

  it('is a sha256 hex digest, stable across calls', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/)
    expect(contentHash(sampleFlow())).toBe(base)
  })

  it('ignores layout, so moving nodes on the canvas keeps the hash', () => {
    expect(hashAfter((d) => (d.layout = { intake: { x: 999, y: -5 }, check: { x: 1, y: 2 } }))).toBe(base)
    expect(hashAfter((d) => delete d.layout)).toBe(base)
  })

  it('ignores titles, descriptions, the revision number and key order', () => {
    const same = hashAfter((d) => {
      d.title = 'Renamed'
      d.description = 'Now with words'
      d.version = 7
      d.nodes['check']!.title = 'Another title'
      d.nodes['check']!.description = 'Explains the check'
      d.facts.description = 'What a run knows'
      d.facts.properties!['amount']!.title = 'Amount due'
      d.roles['agent']!.title = 'Care coordinator'
      d.nodes = Object.fromEntries(Object.entries(d.nodes).reverse())
    })
    expect(same).toBe(base)
  })

  it('changes when a threshold changes', () => {
    expect(hashAfter((d) => (d.nodes['check']!.config['threshold'] = 101))).not.toBe(base)
  })

  it('changes when a port, a config field, a PHI class or a bound changes', () => {
    const variants = [
      hashAfter((d) => (d.nodes['check']!.next['low'] = 'ask')),
      hashAfter((d) => (d.nodes['ask']!.config['role'] = 'billing')),
      hashAfter((d) => (d.facts.properties!['amount']!['x-phi'] = 'none')),
      hashAfter((d) => (d.roles['agent']!.phi = ['demographic', 'contact'])),
      hashAfter((d) => (d.nodes['ask']!.maxVisits = 2)),
      hashAfter((d) => (d.start = 'check')),
      // A facts property that happens to be called "title" is data, not free text.
      hashAfter((d) => (d.facts.properties!['title'] = { type: 'string', 'x-phi': 'none' })),
    ]
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1)
  })
})
