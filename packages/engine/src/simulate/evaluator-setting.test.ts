// The decision evaluator setting through the engine: the example eligibility flow's suite and
// generated cases give the same report on the compiled evaluator, forced onto json-rules-engine,
// and with both checked on every decision (`parity`, what a version is checked with before publishing).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { registry } from '@carepath/catalog'
import { parseSuite, simulate } from '../index.ts'

const examples = new URL('../../../../examples/', import.meta.url)
const read = (name: string): unknown => JSON.parse(readFileSync(fileURLToPath(new URL(name, examples)), 'utf8'))
const published = read('eligibility-verification.flow.json') as FlowDocument
const draft = read('drafts/eligibility-verification.v2.flow.json') as FlowDocument
const parsed = parseSuite(read('eligibility-verification.suite.json'))
const installed = registry.has('decision.rules') && registry.has('payer.eligibility')

describe.skipIf(!installed || !parsed.ok)('decision evaluator setting', () => {
  it('gives byte-identical reports on compiled decisions, on json-rules-engine, and checking both', async () => {
    if (!parsed.ok) return
    const run = (decisionEvaluator?: 'json-rules-engine' | 'parity') =>
      simulate(published, draft, parsed.suite, {
        registry,
        generate: true,
        ...(decisionEvaluator ? { decisionEvaluator } : {}),
      })
    const compiled = await run()
    expect(compiled.summary.cases).toBeGreaterThan(parsed.suite.cases.length)
    expect(JSON.stringify(await run('json-rules-engine'))).toBe(JSON.stringify(compiled))
    expect(JSON.stringify(await run('parity'))).toBe(JSON.stringify(compiled))
  })
})
