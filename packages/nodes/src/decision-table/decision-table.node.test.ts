import { describe, expect, it } from 'vitest'
import { NodeError, type FactSchema } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { decisionTable } from './decision-table.node.ts'

const now = '2026-11-22T11:00:00Z'
const factsSchema: FactSchema = {
  type: 'object',
  properties: {
    answers: { type: 'object', properties: { phq9Score: { type: 'integer' }, phq9Item9: { type: 'integer' } } },
    triage: { type: 'object', properties: { level: { type: 'string' }, points: { type: 'number' } } },
  },
}
const env = { factsSchema, roles: {}, now }
// The PHQ-9 triage table as the example intake flow writes it.
const phq9 = decisionTable.config.parse({
  hitPolicy: 'first',
  inputs: [{ fact: 'answers.phq9Score', label: 'PHQ-9' }],
  outputs: [{ name: 'queue', label: 'Queue' }],
  rows: [
    { id: 'severe', cells: ['>= 20'], outputs: ['urgent'] },
    { id: 'moderately-severe', cells: ['[15..19]'], outputs: ['same-week'] },
    { id: 'moderate', cells: ['[10..14]'], outputs: ['nurse'] },
    { id: 'mild-or-none', cells: ['< 10'], outputs: ['routine'] },
    { id: 'not-answered', cells: ['-'], outputs: ['nurse'] },
  ],
})
const run = (config: typeof phq9, facts: Record<string, unknown>) =>
  decisionTable.execute(createFakeContext({ now, facts: facts as never, factsSchema }), config)

describe('decision.table', () => {
  it('offers a port per outcome value; noMatch is optional when a catch-all row exists', () => {
    expect(decisionTable.ports(phq9)).toEqual([
      { name: 'urgent', required: true },
      { name: 'same-week', required: true },
      { name: 'nurse', required: true },
      { name: 'routine', required: true },
      { name: 'noMatch', required: false },
    ])
    expect(decisionTable.reads(phq9)).toEqual(['answers.phq9Score'])
    expect(decisionTable.writes(phq9)).toEqual([])
    expect(decisionTable.check?.(phq9, env)).toEqual([])
  })

  it('routes by the first matching row and explains it', async () => {
    const outcome = await run(phq9, { answers: { phq9Score: 16 } })
    expect(outcome).toMatchObject({ kind: 'next', port: 'same-week' })
    if (outcome.kind !== 'next') throw new Error('expected next')
    expect(outcome.set).toBeUndefined()
    expect(outcome.decision).toMatchObject({
      outcome: 'same-week',
      fired: ['moderately-severe', 'not-answered'],
      outputs: { queue: 'same-week' },
    })
    expect(outcome.decision?.rules[1]?.conditions[0]).toMatchObject({
      fact: 'answers.phq9Score',
      operator: 'between',
      expected: [15, 19],
      seen: 16,
      result: true,
    })
    expect(await run(phq9, { answers: {} })).toMatchObject({ port: 'nurse' })
  })

  it('writes fact columns, collects with an aggregation and takes noMatch', async () => {
    const config = decisionTable.config.parse({
      hitPolicy: 'collect',
      aggregation: 'sum',
      inputs: [{ fact: 'answers.phq9Score' }, { fact: 'answers.phq9Item9' }],
      outputs: [{ fact: 'triage.points' }],
      rows: [
        { cells: ['>= 10', '-'], outputs: [2] },
        { cells: ['-', '>= 1'], outputs: [5] },
      ],
    })
    expect(decisionTable.ports(config)).toEqual([
      { name: 'matched', required: true },
      { name: 'noMatch', required: true },
    ])
    expect(await run(config, { answers: { phq9Score: 12, phq9Item9: 2 } })).toMatchObject({
      port: 'matched',
      set: { 'triage.points': 7 },
    })
    expect(await run(config, { answers: { phq9Score: 3, phq9Item9: 0 } })).toMatchObject({
      port: 'noMatch',
      set: { 'triage.points': 0 },
    })
  })

  it('fails a unique table with two matches instead of guessing, and reports the overlap up front', async () => {
    const config = decisionTable.config.parse({
      hitPolicy: 'unique',
      inputs: [{ fact: 'answers.phq9Score' }],
      outputs: [{ fact: 'triage.level' }],
      rows: [
        { cells: ['>= 10'], outputs: ['high'] },
        { cells: ['>= 15'], outputs: ['higher'] },
      ],
    })
    expect(decisionTable.check?.(config, env).map((p) => p.code)).toEqual(['table-overlap', 'table-gap'])
    await expect(run(config, { answers: { phq9Score: 20 } })).rejects.toBeInstanceOf(NodeError)
    await expect(run(config, { answers: { phq9Score: 20 } })).rejects.toMatchObject({
      options: { code: 'table-not-unique' },
    })
  })

  it('generates cases that reach every row', async () => {
    const ports = new Set<string>()
    for (const facts of decisionTable.cases?.(phq9, env) ?? []) {
      const outcome = await run(phq9, facts)
      if (outcome.kind === 'next') ports.add(outcome.port)
    }
    expect([...ports].sort()).toEqual(['nurse', 'routine', 'same-week', 'urgent'])
  })
})
