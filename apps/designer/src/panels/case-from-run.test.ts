import type { FactSchema } from '@carepath/dsl'
import { describe, expect, it } from 'vitest'
import { caseFromRun } from './case-from-run.ts'

const at = '2026-01-05T09:00:00.000Z'

describe('caseFromRun', () => {
  it('replays a run: input, answers and connector responses, leaving out what the role may not see', () => {
    const run: Parameters<typeof caseFromRun>[0] = {
      id: 'abcdef1234',
      outcome: 'confirmed',
      events: [
        {
          seq: 0,
          at,
          type: 'run.started',
          data: {
            runId: 'abcdef1234',
            flowId: 'visit-confirmation',
            flowHash: 'f'.repeat(64),
            input: { visit: { type: 'procedure' }, patient: { mrn: '[redacted]', firstName: 'Ada' } },
          },
        },
        {
          seq: 1,
          at,
          type: 'connector.response',
          nodeId: 'ask-payer',
          data: { connector: 'payer', attempt: 1, response: { status: 'active' } },
        },
        {
          seq: 2,
          at,
          type: 'task.answered',
          nodeId: 'call',
          data: { taskId: 'abcdef1234:task:2', answer: { value: 'yes' }, port: 'yes' },
        },
      ],
    }
    const { suiteCase, dropped } = caseFromRun(run)
    expect(suiteCase).toEqual({
      id: 'run-abcdef12',
      name: 'from run abcdef12',
      synthetic: true,
      input: { visit: { type: 'procedure' }, patient: { firstName: 'Ada' } },
      answers: { call: { value: 'yes' } },
      mocks: { 'ask-payer': { status: 'active' } },
      expect: { outcome: 'confirmed' },
    })
    expect(dropped).toEqual(['patient.mrn'])
  })

  it('gives a hidden input field a made-up value of its type from the facts schema, and marks the case as test data', () => {
    const hidden = '[redacted]'
    const run: Parameters<typeof caseFromRun>[0] = {
      id: 'feedbeef99',
      outcome: null,
      events: [
        {
          seq: 0,
          at,
          type: 'run.started',
          data: {
            runId: 'feedbeef99',
            flowId: 'refill',
            flowHash: 'f'.repeat(64),
            input: {
              patient: { mrn: hidden, birthDate: hidden, controlled: hidden, plan: hidden, age: hidden },
              note: hidden,
            },
          },
        },
      ],
    }
    const facts: FactSchema = {
      type: 'object',
      properties: {
        patient: {
          type: 'object',
          properties: {
            mrn: { type: 'string', title: 'MRN', 'x-phi': 'identifier' },
            birthDate: { type: 'string', format: 'date', 'x-phi': 'demographic' },
            controlled: { type: 'boolean', 'x-phi': 'clinical' },
            plan: { type: 'string', enum: ['gold', 'silver'], 'x-phi': 'coverage' },
            age: { type: 'integer', 'x-phi': 'demographic' },
          },
        },
      },
    }
    const { suiteCase, dropped, madeUp } = caseFromRun(run, facts)
    expect(suiteCase.synthetic).toBe(true)
    expect(suiteCase.input).toEqual({
      patient: { mrn: 'test MRN', birthDate: '2000-01-01', controlled: false, plan: 'gold', age: 1 },
    })
    expect(madeUp).toEqual(['patient.mrn', 'patient.birthDate', 'patient.controlled', 'patient.plan', 'patient.age'])
    // Not in the schema: nothing to type a made-up value by, so it is left for the analyst.
    expect(dropped).toEqual(['note'])
  })
})
