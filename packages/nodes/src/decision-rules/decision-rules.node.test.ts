import { describe, expect, it } from 'vitest'
import type { FactSchema } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { decisionRules } from './decision-rules.node.ts'

const now = '2026-11-22T11:00:00Z'
const config = decisionRules.config.parse({
  defaultOutcome: 'not-eligible',
  into: 'decision.detail',
  rules: [
    {
      id: 'adult-active',
      name: 'Adult with active coverage',
      conditions: {
        all: [
          { fact: 'patient.birthDate', operator: 'ageAtLeast', value: 18 },
          { fact: 'coverage', path: '$.status', operator: 'equal', value: 'active' },
        ],
      },
      event: { type: 'eligible', params: { program: 'standard' } },
    },
    {
      id: 'minor-guardian',
      priority: 5,
      conditions: {
        all: [
          { fact: 'patient.birthDate', operator: 'ageBelow', value: 18 },
          { fact: 'guardian.consent', operator: 'equal', value: true },
        ],
      },
      event: { type: 'eligible', params: { program: 'pediatric' } },
    },
    {
      id: 'lapsed',
      conditions: { any: [{ fact: 'coverage.status', operator: 'in', value: ['lapsed', 'cancelled'] }] },
      event: { type: 'review' },
    },
  ],
})
const env = {
  roles: {},
  now,
  factsSchema: {
    type: 'object',
    properties: {
      patient: { type: 'object', properties: { birthDate: { type: 'string', format: 'date' } } },
      coverage: { type: 'object', properties: { status: { type: 'string', enum: ['active', 'lapsed', 'cancelled'] } } },
      guardian: { type: 'object', properties: { consent: { type: 'boolean' } } },
    },
  } satisfies FactSchema,
}
const run = (facts: Record<string, never> | Record<string, unknown>) =>
  decisionRules.execute(createFakeContext({ now, facts: facts as never }), config)

describe('decision.rules', () => {
  it('offers one required port per outcome plus the default, and declares reads and writes', () => {
    expect(decisionRules.ports(config)).toEqual([
      { name: 'eligible', required: true },
      { name: 'review', required: true },
      { name: 'not-eligible', required: true },
    ])
    expect(decisionRules.reads(config)).toEqual(['coverage.status', 'guardian.consent', 'patient.birthDate'])
    expect(decisionRules.writes(config)).toEqual(['decision.detail'])
    expect(decisionRules.phi).toEqual([])
  })

  it('takes the first fired rule in tie-break order, writes its params and explains why', async () => {
    const outcome = await run({ patient: { birthDate: '1980-01-01' }, coverage: { status: 'active' } })
    expect(outcome).toMatchObject({
      kind: 'next',
      port: 'eligible',
      set: { 'decision.detail': { program: 'standard' } },
    })
    if (outcome.kind !== 'next') throw new Error('expected next')
    expect(outcome.decision?.fired).toEqual(['adult-active'])
    expect(outcome.decision?.rules.map((r) => r.id)).toEqual(['minor-guardian', 'adult-active', 'lapsed'])
    expect(outcome.decision?.rules[1]).toMatchObject({
      name: 'Adult with active coverage',
      fired: true,
      conditions: [
        {
          path: 'all.0',
          fact: 'patient.birthDate',
          operator: 'ageAtLeast',
          expected: 18,
          seen: '1980-01-01',
          result: true,
        },
        { path: 'all.1', fact: 'coverage.status', operator: 'equal', expected: 'active', seen: 'active', result: true },
      ],
    })
  })

  it('takes the default outcome when nothing fires, and reports missing facts as missing', async () => {
    const outcome = await run({ patient: { birthDate: '2015-06-01' } })
    expect(outcome).toMatchObject({ port: 'not-eligible', set: { 'decision.detail': null } })
    if (outcome.kind !== 'next') throw new Error('expected next')
    expect(outcome.decision?.rules[0]?.conditions[1]).toMatchObject({
      fact: 'guardian.consent',
      seen: null,
      missing: true,
      result: false,
    })
  })

  it('builds its engine once per memo slot and stays deterministic', async () => {
    const ctx = createFakeContext({
      now,
      facts: { patient: { birthDate: '1980-01-01' }, coverage: { status: 'lapsed' } },
    })
    const a = await decisionRules.execute(ctx, config)
    const b = await decisionRules.execute(ctx, config)
    expect(ctx.memoBuilds).toBe(1)
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
    expect(a).toMatchObject({ port: 'review' })
  })

  it('reports malformed rules as config problems with their path', () => {
    const bad = decisionRules.config.parse({
      defaultOutcome: 'no',
      rules: [
        { id: 'x', conditions: { all: [{ fact: 'a', operator: 'matches', value: '(a+)+' }] }, event: { type: 'yes' } },
      ],
    })
    expect(decisionRules.check?.(bad, env)).toEqual([
      expect.objectContaining({ code: 'malformed-rule', path: 'rules.0.conditions.all.0.value' }),
    ])
    expect(decisionRules.check?.(config, env)).toEqual([])
  })

  it('generates cases that reach every outcome', async () => {
    const cases = decisionRules.cases?.(config, env) ?? []
    const ports = new Set<string>()
    for (const facts of cases) {
      const outcome = await run(facts)
      if (outcome.kind === 'next') ports.add(outcome.port)
    }
    expect([...ports].sort()).toEqual(['eligible', 'not-eligible', 'review'])
  })
})
