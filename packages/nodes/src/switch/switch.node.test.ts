import { describe, expect, it } from 'vitest'
import type { FactSchema } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { switchNode } from './switch.node.ts'

const now = '2026-11-22T11:00:00Z'
const factsSchema: FactSchema = {
  type: 'object',
  properties: {
    result: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['F', 'C', 'P'] }, count: { type: 'integer' } },
    },
  },
}
const env = { factsSchema, roles: {}, now }
const config = switchNode.config.parse({
  fact: 'result.status',
  cases: [
    { value: 'C', port: 'corrected' },
    { value: 'P', port: 'preliminary' },
  ],
  default: 'final',
})
const run = (facts: Record<string, unknown>) =>
  switchNode.execute(createFakeContext({ now, facts: facts as never }), config)

describe('switch', () => {
  it('offers the case ports and the default, all required', () => {
    expect(switchNode.ports(config)).toEqual([
      { name: 'corrected', required: true },
      { name: 'preliminary', required: true },
      { name: 'final', required: true },
    ])
    expect(switchNode.reads(config)).toEqual(['result.status'])
    expect(switchNode.writes(config)).toEqual([])
  })

  it('routes by exact value, else the default (a missing fact included), and explains it', async () => {
    const outcome = await run({ result: { status: 'P' } })
    expect(outcome).toMatchObject({
      kind: 'next',
      port: 'preliminary',
      decision: { outcome: 'preliminary', fired: ['case-2'] },
    })
    expect(await run({ result: { status: 'F' } })).toMatchObject({ port: 'final' })
    const missing = await run({})
    expect(missing).toMatchObject({ port: 'final' })
    if (missing.kind !== 'next') throw new Error('expected next')
    expect(missing.decision?.rules[0]?.conditions[0]).toMatchObject({
      fact: 'result.status',
      missing: true,
      result: false,
    })
  })

  it('warns about repeated values and refuses values that do not fit the fact', () => {
    const bad = switchNode.config.parse({
      fact: 'result.status',
      cases: [
        { value: 'C', port: 'a' },
        { value: 'C', port: 'b' },
        { value: 'X', port: 'c' },
        { value: 3, port: 'd' },
      ],
      default: 'z',
    })
    expect(switchNode.check?.(bad, env).map((p) => `${p.code}@${p.path}`)).toEqual([
      'table-unreachable-row@cases.1',
      'table-type-mismatch@cases.2.value',
      'table-type-mismatch@cases.3.value',
    ])
    expect(switchNode.check?.(config, env)).toEqual([])
  })

  it('generates cases for every case value and the default', async () => {
    const ports = new Set<string>()
    for (const facts of switchNode.cases?.(config, env) ?? []) {
      const outcome = await run(facts)
      if (outcome.kind === 'next') ports.add(outcome.port)
    }
    expect([...ports].sort()).toEqual(['corrected', 'final', 'preliminary'])
  })
})
