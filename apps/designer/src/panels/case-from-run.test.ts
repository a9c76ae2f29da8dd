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
      input: { visit: { type: 'procedure' }, patient: { firstName: 'Ada' } },
      answers: { call: { value: 'yes' } },
      mocks: { 'ask-payer': { status: 'active' } },
      expect: { outcome: 'confirmed' },
    })
    expect(dropped).toEqual(['patient.mrn'])
  })
})
