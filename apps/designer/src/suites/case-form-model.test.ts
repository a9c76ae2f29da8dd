import { describe, expect, it } from 'vitest'
import type { FlowDocument } from '@carepath/dsl'
import { registry } from '../registry.ts'
import { connectorSteps, factFields, flowOutcomes, humanSteps, valueAt, withValueAt } from './case-form-model.ts'

const node = (type: string, next: Record<string, string> = {}, title?: string) => ({
  type,
  typeVersion: 1,
  ...(title ? { title } : {}),
  config: structuredClone(registry.get(type)?.defaults ?? {}) as Record<string, unknown>,
  next,
})

const flow: FlowDocument = {
  dsl: 'carepath.flow/1',
  id: 'refill',
  version: 1,
  title: 'Medication refill',
  facts: {
    type: 'object',
    required: ['patient'],
    properties: {
      patient: {
        type: 'object',
        required: ['birthDate'],
        properties: {
          birthDate: { type: 'string', format: 'date', 'x-phi': 'demographic' },
          plan: { type: 'string', enum: ['gold', 'silver'] },
        },
      },
      copay: { type: 'number', title: 'Copay in dollars' },
      controlled: { type: 'boolean' },
      history: { type: 'array', items: { type: 'string' } },
    },
  },
  roles: { clinician: { phi: ['demographic'] } },
  start: 'start',
  nodes: {
    start: node('trigger.api', { default: 'ask' }),
    ask: node('guide.question', {}, 'Refill confirmed?'),
    payer: node('payer.eligibility', {}, 'Ask the payer'),
    done: { ...node('end'), config: { outcome: 'refilled' } },
  },
}

describe('the case form read from the flow', () => {
  it('offers one input per leaf of the facts schema, typed, with required ones marked', () => {
    expect(factFields(flow.facts).map((f) => [f.path, f.label, f.kind, f.required, f.options])).toEqual([
      ['patient.birthDate', 'patient.birthDate', 'date', true, []],
      ['patient.plan', 'patient.plan', 'choice', false, ['gold', 'silver']],
      ['copay', 'Copay in dollars', 'number', false, []],
      ['controlled', 'controlled', 'boolean', false, []],
    ])
  })

  it('sets and clears values by path, leaving no empty objects behind', () => {
    const set = withValueAt({}, 'patient.birthDate', '1960-01-02')
    expect(set).toEqual({ patient: { birthDate: '1960-01-02' } })
    expect(valueAt(set, 'patient.birthDate')).toBe('1960-01-02')
    expect(valueAt(set, 'patient.plan')).toBeUndefined()
    expect(withValueAt(set, 'patient.birthDate', undefined)).toEqual({})
  })

  it('asks each human step what it would ask a person, and lists the connector steps and outcomes', async () => {
    const [ask] = await humanSteps(flow, registry)
    expect(ask).toMatchObject({ nodeId: 'ask', title: 'Refill confirmed?' })
    expect(ask?.request.options?.length).toBeGreaterThan(0)
    expect(connectorSteps(flow, registry)).toEqual([{ nodeId: 'payer', title: 'Ask the payer', connectors: ['payer'] }])
    expect(flowOutcomes(flow)).toEqual(['refilled', 'failed'])
  })
})
