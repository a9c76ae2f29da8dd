// The simulator on worker threads gives the report of one thread, byte for byte: the example
// eligibility flow against its draft, enough cases for several chunks, generated probes included.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { validateFlow, type FlowDocument, type JsonValue } from '@carepath/dsl'
import { parseSuite, simulate, SIMULATION_CHUNK, type Suite } from '@carepath/engine'
import { registry } from '../plugins/installed-registry.ts'
import { simulationWorkers } from './simulation-workers.ts'

const examples = new URL('../../../../examples/', import.meta.url)
function flowAt(path: string): FlowDocument {
  const result = validateFlow(JSON.parse(readFileSync(fileURLToPath(new URL(path, examples)), 'utf8')), registry)
  if (!result.document) throw new Error(`${path} is not a valid flow`)
  return result.document
}
const base = flowAt('eligibility-verification.flow.json')
const draft = flowAt('drafts/eligibility-verification.v2.flow.json')
const parsed = parseSuite(
  JSON.parse(readFileSync(fileURLToPath(new URL('eligibility-verification.suite.json', examples)), 'utf8')),
)
if (!parsed.ok) throw new Error(parsed.message)
const suite: Suite = parsed.suite

/** The suite's cases repeated with numbers moved by the case's index, so chunks differ. */
function widened(count: number): Suite {
  const move = (value: JsonValue, by: number): JsonValue =>
    typeof value === 'number'
      ? value + (by % 7) - 3
      : Array.isArray(value)
        ? value.map((v) => move(v, by))
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, move(v, by)]))
          : value
  return {
    ...suite,
    cases: Array.from({ length: count }, (_, i) => {
      const template = suite.cases[i % suite.cases.length]!
      const input = move(template.input, i)
      return {
        ...template,
        id: `${template.id}.${i + 1}`,
        input: input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {},
      }
    }),
  }
}

describe('simulation on worker threads', () => {
  it('gives the same report, byte for byte, on one thread and on 1, 2 and 3 threads (workers beside this one)', async () => {
    const many = widened(SIMULATION_CHUNK * 3 + 17)
    const options = { registry, generate: true, unchangedCases: 'count' as const }
    const inThread = JSON.stringify(await simulate(base, draft, many, options))
    const one = JSON.stringify(
      await simulate(base, draft, many, { ...options, workers: simulationWorkers({ threads: 1 }) }),
    )
    const progress: number[] = []
    const two = JSON.stringify(
      await simulate(base, draft, many, {
        ...options,
        workers: simulationWorkers({ threads: 2 }),
        onProgress: ({ done }) => void progress.push(done),
      }),
    )
    // Three threads: two workers and this one, their chunks finishing in any order.
    const three = JSON.stringify(
      await simulate(base, draft, many, { ...options, workers: simulationWorkers({ threads: 3 }) }),
    )
    expect(one).toBe(inThread)
    expect(two).toBe(inThread)
    expect(three).toBe(inThread)
    const report = JSON.parse(inThread) as {
      summary: { cases: number; changed: number; unchanged: number }
      cases: unknown[]
    }
    expect(report.summary.cases).toBeGreaterThan(many.cases.length)
    expect(report.summary.changed).toBeGreaterThan(0)
    // Unchanged cases are counted, not listed.
    expect(report.cases.length).toBe(report.summary.cases - report.summary.unchanged)
    // Progress rises chunk by chunk to the last case.
    expect(progress[0]).toBe(0)
    expect(progress.at(-1)).toBe(report.summary.cases)
    expect([...progress].sort((a, b) => a - b)).toEqual(progress)
  }, 120_000)

  it('lists unchanged cases by default, as a one-thread report does', async () => {
    const few = widened(SIMULATION_CHUNK + 5)
    const inThread = await simulate(base, draft, few, { registry })
    const workers = await simulate(base, draft, few, { registry, workers: simulationWorkers({ threads: 2 }) })
    expect(JSON.stringify(workers)).toBe(JSON.stringify(inThread))
    expect(inThread.cases.length).toBe(few.cases.length)
  }, 120_000)
})
