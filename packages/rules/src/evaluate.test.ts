import { describe, expect, it } from 'vitest'
import { generateCases } from './cases.ts'
import { buildEngine, compileRules, toEngineRule } from './evaluate.ts'
import { eligibilityFacts, eligibilityRules } from './fixtures/eligibility.fixture.ts'

const now = '2026-11-22T11:00:00Z'

describe('compileRules', () => {
  it('fires rules in tie-break order (priority, then id) with a trace per condition', async () => {
    const evaluator = compileRules(eligibilityRules)
    const result = await evaluator.evaluate({ facts: eligibilityFacts, now })
    expect(result.fired).toEqual([
      'r05-senior-recent-visit',
      'r06-chronic-codes',
      'r07-copay-band',
      'r08-telehealth',
      'r09-member-id-format',
      'r10-adult-default',
    ])
    expect(result.events[0]).toEqual({
      ruleId: 'r05-senior-recent-visit',
      type: 'eligible',
      params: { program: 'senior-followup' },
    })
    expect(result.rules.map((r) => r.id)[0]).toBe('r01-minor-no-consent')
    const telehealth = result.rules.find((r) => r.id === 'r08-telehealth')
    expect(telehealth?.conditions).toEqual([
      {
        path: 'all.0',
        fact: 'encounter.type',
        operator: 'equal',
        expected: 'telehealth',
        seen: 'telehealth',
        result: true,
      },
      { path: 'all.1.not', fact: 'patient.state', operator: 'equal', expected: 'NH', seen: 'MA', result: false },
    ])
    const compared = result.rules.find((r) => r.id === 'r09-member-id-format')?.conditions[1]
    expect(compared).toMatchObject({ fact: 'labs.a1c', operator: 'lessThan', expected: 8, seen: 7.1, result: true })
  })

  it('treats an absent field as neither an error nor true, and reports it as missing', async () => {
    const evaluator = compileRules(eligibilityRules)
    const facts = {
      ...eligibilityFacts,
      coverage: { status: 'active', planType: 'HMO' },
      patient: { birthDate: '1990-01-01' },
    }
    const result = await evaluator.evaluate({ facts, now })
    const outOfState = result.rules.find((r) => r.id === 'r03-out-of-state')
    expect(outOfState?.fired).toBe(false)
    expect(outOfState?.conditions[0]).toMatchObject({
      fact: 'patient.state',
      operator: 'notIn',
      seen: null,
      missing: true,
      result: false,
    })
    expect(result.fired).toContain('r10-adult-default')
    const noLabs = await evaluator.evaluate({ facts: { patient: eligibilityFacts.patient }, now })
    expect(noLabs.fired).toEqual([])
  })

  it('uses the injected clock only', async () => {
    const evaluator = compileRules(eligibilityRules)
    const early = await evaluator.evaluate({ facts: eligibilityFacts, now: '2026-11-01T00:00:00Z' })
    const late = await evaluator.evaluate({ facts: eligibilityFacts, now: '2027-06-01T00:00:00Z' })
    expect(early.fired).toContain('r05-senior-recent-visit')
    expect(late.fired).not.toContain('r05-senior-recent-visit')
  })

  it('gives identical results for 1,000 evaluations with 100 in flight as run one by one', async () => {
    const evaluator = compileRules(eligibilityRules)
    const inputs = Array.from({ length: 1000 }, (_, i) => ({
      facts: {
        ...eligibilityFacts,
        patient: {
          ...eligibilityFacts.patient,
          birthDate: `${1940 + (i % 80)}-0${1 + (i % 9)}-15`,
          state: ['MA', 'NH', 'NY'][i % 3] as string,
        },
        coverage: {
          ...eligibilityFacts.coverage,
          status: i % 7 === 0 ? 'lapsed' : 'active',
          planType: ['PPO', 'HMO', 'EPO'][i % 3] as string,
          copay: i % 40,
        },
        labs: { a1c: 5 + (i % 8), a1cTarget: 8 },
      },
      now,
    }))
    const sequential: string[] = []
    for (const input of inputs) sequential.push(JSON.stringify(await evaluator.evaluate(input)))
    const overlapped: string[] = new Array(inputs.length)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < inputs.length) {
        const i = next++
        overlapped[i] = JSON.stringify(await evaluator.evaluate(inputs[i] as (typeof inputs)[number]))
      }
    }
    await Promise.all(Array.from({ length: 100 }, worker))
    expect(overlapped).toEqual(sequential)
    expect(new Set(sequential).size).toBeGreaterThan(10)
  })

  it('gives byte-identical JSON for the same input, across evaluators and key order of the facts', async () => {
    const a = await compileRules(eligibilityRules).evaluate({ facts: eligibilityFacts, now })
    const reversed = Object.fromEntries(Object.entries(eligibilityFacts).reverse())
    const b = await compileRules([...eligibilityRules].reverse()).evaluate({ facts: reversed, now })
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
  })

  it('gives the same results whether rules share engine rules or each has its own (any, not, compared facts, group edges)', async () => {
    const cases = generateCases({ kind: 'rules', rules: eligibilityRules }, { type: 'object' }, { now })
    cases.push(eligibilityFacts, {})
    const own = compileRules(eligibilityRules, { leavesPerGroup: 0 })
    const grouped = [
      compileRules(eligibilityRules),
      compileRules(eligibilityRules, { leavesPerGroup: 3 }),
      compileRules(eligibilityRules, { leavesPerGroup: 1 }),
    ]
    const firedSets = new Set<string>()
    for (const facts of cases) {
      const expected = await own.evaluate({ facts, now })
      firedSets.add(expected.fired.join())
      for (const evaluator of grouped)
        expect(JSON.stringify(await evaluator.evaluate({ facts, now }))).toBe(JSON.stringify(expected))
    }
    expect(firedSets.size).toBeGreaterThan(5)
  })

  it('refuses rules that checkRules refuses, before anything runs', () => {
    expect(() => compileRules([{ id: 'x', conditions: { all: [] }, event: { type: 'ok' } }])).toThrow(/not valid/)
  })
})

describe('the concurrency check itself', () => {
  it('catches the known trap: one shared Engine with async facts loses events under overlap', async () => {
    // Carepath never does this (its fact callbacks only read values set before the run, one Engine per run at a time); the test shows
    // the overlap harness above would notice lost events.
    const { engine, clock } = buildEngine([])
    clock.now = now
    for (const rule of eligibilityRules) engine.addRule({ ...toEngineRule(rule), priority: rule.priority ?? 1 })
    for (const [key, value] of Object.entries(eligibilityFacts))
      engine.addFact(key, () => new Promise((r) => setTimeout(() => r(value), 0)))
    const expected = (await engine.run({})).events.length
    let next = 0
    let short = 0
    const worker = async (): Promise<void> => {
      while (next < 200) {
        next++
        if ((await engine.run({})).events.length !== expected) short++
      }
    }
    await Promise.all(Array.from({ length: 50 }, worker))
    expect(short).toBeGreaterThan(0)
  })
})
