import { describe, expect, it } from 'vitest'
import { readReport } from './simulation-report.ts'

describe('readReport', () => {
  it('reads unchanged cases (shared outcome) and changed ones (both paths, decision changes, failures)', () => {
    const explanation = (outcome: string) => ({ outcome, fired: [], rules: [] })
    const cases = readReport({
      cases: [
        {
          id: 'same',
          name: 'low copay',
          source: 'suite',
          status: 'unchanged',
          expectedChange: false,
          expectationFailures: [],
          problems: [],
          outcome: 'verified',
        },
        {
          id: 'moved',
          name: 'copay at 50',
          source: 'suite',
          status: 'failed',
          expectedChange: false,
          expectationFailures: ['expected the outcome "verified", got "waiting"'],
          problems: [],
          base: { status: 'completed', path: ['a', 'cost', 'verified'], outcome: 'verified' },
          candidate: { status: 'waiting', path: ['a', 'cost', 'tell'], waitingAt: 'tell' },
          changes: {
            decisions: [
              {
                nodeId: 'cost',
                visit: 1,
                base: { outcome: 'no-estimate', fired: [], explanation: explanation('no-estimate') },
                candidate: { outcome: 'estimate', fired: ['r1'], explanation: explanation('estimate') },
              },
            ],
            facts: [],
          },
        },
      ],
    })
    expect(cases[0]).toMatchObject({
      changed: false,
      base: { outcome: 'verified' },
      candidate: { outcome: 'verified' },
    })
    expect(cases[1]).toMatchObject({ changed: true, failures: ['expected the outcome "verified", got "waiting"'] })
    expect(cases[1]?.candidate.outcome).toBe('waiting at tell')
    expect(cases[1]?.decisions[0]).toMatchObject({
      nodeId: 'cost',
      base: { outcome: 'no-estimate' },
      candidate: { outcome: 'estimate' },
    })
  })
})
