// Decision probes on the example eligibility flow: a copay threshold the payer's answer feeds
// (written by `ask-payer`, read by `cost-check`) changes where no suite case sits.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { parseSuite, reportToMarkdown, simulate, simulationVerdict, stepNames, type Suite } from '../index.ts'
import { describeProbe, thresholdsOf } from './probes.ts'

const examples = new URL('../../../../examples/', import.meta.url)
const published = JSON.parse(
  readFileSync(fileURLToPath(new URL('eligibility-verification.flow.json', examples)), 'utf8'),
) as FlowDocument
const parsed = parseSuite(
  JSON.parse(readFileSync(fileURLToPath(new URL('eligibility-verification.suite.json', examples)), 'utf8')),
)
if (!parsed.ok) throw new Error(parsed.message)
const fullSuite: Suite = parsed.suite
const installed = registry.has('decision.rules') && registry.has('payer.eligibility')

/** The suite without cases whose payer copay lies between 40 and 60, so none sits near the threshold. */
function farFromThreshold(suite: Suite): Suite {
  const copay = (c: Suite['cases'][number]): unknown =>
    (c.mocks?.['ask-payer'] as { copay?: unknown } | undefined)?.copay
  return {
    ...suite,
    cases: suite.cases.filter(
      (c) => typeof copay(c) !== 'number' || (copay(c) as number) <= 30 || (copay(c) as number) >= 75,
    ),
  }
}

function withCopayThreshold(value: number): FlowDocument {
  const copy = structuredClone(published)
  const rules = (
    copy.nodes['cost-check']!.config as { rules: { id: string; conditions: { all: { value: number }[] } }[] }
  ).rules
  rules.find((r) => r.id === 'high-copay')!.conditions.all[0]!.value = value
  return copy
}

describe.skipIf(!installed)('decision probes (example eligibility flow)', () => {
  const suite = farFromThreshold(fullSuite)

  it('catches a copay threshold change that the suite alone does not, naming cost-check', async () => {
    expect(suite.cases.length).toBeGreaterThan(10)
    const candidate = withCopayThreshold(45)
    const plain = await simulate(published, candidate, suite, { registry })
    expect(plain.summary).toMatchObject({ changed: 0, failed: 0 })

    const report = await simulate(published, candidate, suite, { registry, generate: true })
    const changed = report.cases.filter((c) => c.status !== 'unchanged')
    expect(changed.length).toBeGreaterThan(0)
    expect(simulationVerdict(report)).toBe('changed')
    const carrier = suite.cases.find(
      (c) => (c.mocks?.['ask-payer'] as { status?: string } | undefined)?.status === 'active',
    )?.id
    for (const c of changed) {
      expect(c).toMatchObject({
        source: 'generated',
        status: 'changed',
        probe: { nodeId: 'cost-check', at: 'node-entry', carrier },
      })
      expect(c.changes?.decisions[0]).toMatchObject({
        nodeId: 'cost-check',
        base: { outcome: 'no-estimate' },
        candidate: { outcome: 'estimate' },
      })
    }
    expect(changed.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'probe “Patient cost above threshold?”: eligibility.copay = 50 (at threshold)',
        'probe “Patient cost above threshold?”: eligibility.copay = 46 (above threshold 45)',
      ]),
    )
    const markdown = reportToMarkdown(report, stepNames(published, candidate))
    expect(markdown).toContain('probe “Patient cost above threshold?”: eligibility.copay = 46 (above threshold 45)')
    expect(markdown).toContain('Generated probe of “Patient cost above threshold?”')
    expect(markdown).not.toContain('`cost-check`')
  })

  it('reports no change for a layout-only copy, probes included', async () => {
    const moved = { ...structuredClone(published), layout: { ...published.layout, 'cost-check': { x: 10, y: 10 } } }
    const report = await simulate(published, moved, suite, { registry, generate: true })
    expect(report.cases.some((c) => c.probe?.at === 'node-entry')).toBe(true)
    expect(report.summary).toMatchObject({ changed: 0, failed: 0, unexpected: 0 })
  })

  it('gives the same report on every run', async () => {
    const candidate = withCopayThreshold(45)
    const a = await simulate(published, candidate, suite, { registry, generate: true })
    const b = await simulate(published, candidate, suite, { registry, generate: true })
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
  })
})

describe('probe names', () => {
  it('say where a number sits against the nearest threshold, else just path = value', () => {
    const thresholds = thresholdsOf({
      rules: [
        {
          conditions: {
            all: [
              { fact: 'a.b', operator: 'greaterThan', value: 50 },
              { fact: 'c', operator: 'in', value: ['x'] },
            ],
          },
        },
      ],
    })
    expect(describeProbe('n', { 'a.b': 49 }, thresholds)).toBe('probe “n”: a.b = 49 (below threshold 50)')
    expect(describeProbe('n', { 'a.b': 50, c: 'x' }, thresholds)).toBe('probe “n”: a.b = 50 (at threshold), c = "x"')
  })
})
