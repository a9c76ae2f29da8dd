import { describe, expect, it } from 'vitest'
import type { RunDetail } from '../api/api-types.ts'
import { caseFromRun } from './case-from-run.ts'

describe('caseFromRun', () => {
  it('replays a run: input, answers and connector responses, leaving out what the role may not see', () => {
    const run: RunDetail = {
      id: 'abcdef1234',
      flowId: 'visit-confirmation',
      status: 'completed',
      outcome: 'confirmed',
      path: [],
      events: [
        {
          type: 'run.started',
          data: { input: { visit: { type: 'procedure' }, patient: { mrn: '[redacted]', firstName: 'Ada' } } },
        },
        { type: 'connector.response', nodeId: 'ask-payer', data: { response: { status: 'active' } } },
        { type: 'task.answered', nodeId: 'call', data: { answer: { value: 'yes' } } },
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
