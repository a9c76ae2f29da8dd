// Same inputs, same trace: 1,000 generated inputs per flow, each run twice in a row and once
// more concurrently with all the others, must give byte-identical traces.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { validateFlow, type FlowDocument, type JsonValue, type NodeRegistry } from '@carepath/dsl'
import { registry as catalog } from '@carepath/catalog'
import { parseSuite, runCase, traceOf, type Suite, type SuiteCase } from './index.ts'
import { claimFlow, testFlow } from './testing/test-flows.ts'
import { testRegistry } from './testing/test-nodes.ts'
import { seededRandom, varyInput } from './testing/vary-input.ts'

const INPUTS = 1_000

async function assertDeterministic(
  flow: FlowDocument,
  registry: NodeRegistry,
  cases: SuiteCase[],
): Promise<Set<string>> {
  const outcomes = new Set<string>()
  const trace = async (c: SuiteCase) => {
    const run = await runCase(flow, c, { registry })
    if (!run.state) return `not run: ${run.problems.join('; ')}`
    outcomes.add(run.state.outcome ?? run.state.status)
    return traceOf(run.state.events)
  }
  const first: string[] = []
  for (const c of cases) first.push(await trace(c))
  const second: string[] = []
  for (const c of cases) second.push(await trace(c))
  const concurrent = await Promise.all(cases.map(trace))
  expect(second).toEqual(first)
  expect(concurrent).toEqual(first)
  return outcomes
}

function generated(flow: FlowDocument, base: SuiteCase[], seed: number): SuiteCase[] {
  const random = seededRandom(seed)
  return Array.from({ length: INPUTS }, (_, index) => {
    const template = base[index % base.length] as SuiteCase
    return {
      ...template,
      id: `gen-${index}`,
      input: varyInput(template.input, flow.facts, random) as Record<string, JsonValue>,
    }
  })
}

describe('determinism over test flows', () => {
  it('gives identical traces for 1,000 claim inputs, sequentially and concurrently', async () => {
    const base: SuiteCase[] = [
      {
        id: 'a',
        input: { memberId: 'M1', amount: 100 },
        mocks: { fetch: { status: 'active' } },
        answers: { ask: { approved: true } },
      },
      { id: 'b', input: { memberId: 'M2', amount: 250 }, mocks: { fetch: { $error: 'down' } } },
      {
        id: 'c',
        input: { memberId: 'M3', amount: 99 },
        mocks: { fetch: [{ status: 'a' }] },
        answers: { ask: { approved: false } },
      },
    ]
    const outcomes = await assertDeterministic(claimFlow, testRegistry, generated(claimFlow, base, 7))
    expect(outcomes.size).toBeGreaterThan(2) // the inputs really exercise different paths
  })

  it('gives identical traces through loops and timers', async () => {
    const flow = testFlow('loop-wait', {
      start: { type: 'test.start', next: { default: 'count' } },
      count: {
        type: 'test.count',
        config: { fact: 'n', limit: 4 },
        next: { again: 'pause', done: 'end' },
        maxVisits: 6,
      },
      pause: { type: 'test.wait', config: { minutes: 90 }, next: { done: 'count' } },
      end: { type: 'test.end', config: { outcome: 'done' } },
    })
    const cases = generated(flow, [{ id: 'x', input: { n: 0 } }], 11)
    const outcomes = await assertDeterministic(flow, testRegistry, cases)
    expect(outcomes.has('done')).toBe(true)
  })
})

const examplesDir = fileURLToPath(new URL('../../../examples', import.meta.url))
const examples = readdirSync(examplesDir)
  .filter((name) => name.endsWith('.flow.json'))
  .sort()
  .map((name) => {
    const flow = validateFlow(JSON.parse(readFileSync(join(examplesDir, name), 'utf8')), catalog)
    let suite: Suite | undefined
    try {
      const parsed = parseSuite(
        JSON.parse(readFileSync(join(examplesDir, name.replace('.flow.json', '.suite.json')), 'utf8')),
      )
      if (parsed.ok) suite = parsed.suite
    } catch {
      suite = undefined
    }
    const missing = flow.problems.filter((p) => p.code === 'unknown-node-type').map((p) => p.message)
    return { name, flow: flow.document, valid: flow.valid, missing, suite }
  })

describe('determinism over the example flows', () => {
  for (const example of examples) {
    const runnable = example.valid && example.flow !== undefined && example.suite !== undefined
    it.skipIf(!runnable)(
      `${example.name}: 1,000 inputs, identical traces${runnable ? '' : ` (not runnable yet: ${example.missing[0] ?? 'invalid'})`}`,
      async () => {
        const flow = example.flow as FlowDocument
        const suite = example.suite as Suite
        const outcomes = await assertDeterministic(flow, catalog, generated(flow, suite.cases, 42))
        expect(outcomes.size).toBeGreaterThan(1) // the inputs reach more than one ending
      },
    )
  }
})
