import { describe, expect, it } from 'vitest'
import { caseResult, readReport, titleLookup } from './simulation-report.ts'

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
    expect(cases[1]?.candidate).toMatchObject({ outcome: null, status: 'waiting', waitingAt: 'tell' })
    expect(cases[1]?.decisions[0]).toMatchObject({
      nodeId: 'cost',
      base: { outcome: 'no-estimate' },
      candidate: { outcome: 'estimate' },
    })
  })

  it('says where a run waits by the step title, keeping the id for the details line only', () => {
    const titleOf = titleLookup(
      [
        { id: 'tell-estimate', data: { type: 'task.form', title: 'Tell the patient the estimate' } },
        { id: 'notify-2', data: { type: 'notify', title: '  ' } },
      ],
      (type) => (type === 'notify' ? 'Notify' : undefined),
    )
    const run = (outcome: string | null, waitingAt: string | null) => ({
      path: [],
      outcome,
      status: outcome ? 'completed' : 'waiting',
      waitingAt,
    })

    const result = caseResult({ base: run('verified', null), candidate: run(null, 'tell-estimate') }, titleOf)
    expect(result.text).toBe('verified → waiting at Tell the patient the estimate')
    expect(result.text).not.toContain('tell-estimate')
    expect(result.details).toContain('tell-estimate')

    // A step without a title of its own is named by its type; one the document lacks, by its id.
    expect(caseResult({ base: run(null, 'notify-2'), candidate: run(null, 'gone') }, titleOf).text).toBe(
      'waiting at Notify → waiting at gone',
    )
    expect(caseResult({ base: run('verified', null), candidate: run('verified', null) }, titleOf)).toEqual({
      text: 'verified → verified',
    })
  })
})
