// The decision pairing of compareRunsInDetail: which visit of a node a changed decision is, when
// both runs decide in the same order (pairs read side by side) and when they do not (pairs found
// by node, scope and visit).
import { describe, expect, it } from 'vitest'
import type { DecisionExplanation } from '@carepath/dsl'
import type { DecisionRecord, RunState } from '../events.ts'
import { compareRunsInDetail } from './compare.ts'

function decision(nodeId: string, port: string, fired: string[] = [port], scope?: string): DecisionRecord {
  const explanation: DecisionExplanation = { outcome: port, fired, rules: [] }
  return { nodeId, port, explanation, ...(scope ? { scope } : {}) }
}

function run(decisions: DecisionRecord[]): RunState {
  return {
    runId: 'r',
    flowId: 'f',
    flowHash: 'h',
    status: 'completed',
    outcome: 'done',
    facts: {},
    path: ['start', 'end'],
    ports: [],
    decisions,
    events: [],
  }
}

describe('compareRunsInDetail pairs decisions by node, scope and visit', () => {
  it('names the visit of a changed decision when both runs decide in the same order', () => {
    const base = run([decision('check', 'retry'), decision('other', 'a'), decision('check', 'retry')])
    const candidate = run([decision('check', 'retry'), decision('other', 'a'), decision('check', 'give-up')])
    const { changes } = compareRunsInDetail(base, candidate)
    expect(changes?.decisions.map((d) => [d.nodeId, d.visit, d.base.outcome, d.candidate.outcome])).toEqual([
      ['check', 2, 'retry', 'give-up'],
    ])
  })

  it('counts visits within a scope apart from the same node at the top level', () => {
    const base = run([
      decision('check', 'a'),
      decision('check', 'a', ['a'], 'sub'),
      decision('check', 'a', ['a'], 'sub'),
    ])
    const candidate = run([
      decision('check', 'a'),
      decision('check', 'a', ['a'], 'sub'),
      decision('check', 'b', ['b'], 'sub'),
    ])
    const { changes } = compareRunsInDetail(base, candidate)
    expect(changes?.decisions.map((d) => [d.scope, d.visit])).toEqual([['sub', 2]])
  })

  it('pairs by visit when the runs decide in a different order', () => {
    const base = run([decision('first', 'x'), decision('second', 'y'), decision('first', 'x')])
    const candidate = run([decision('second', 'y'), decision('first', 'x'), decision('first', 'z')])
    const { changes } = compareRunsInDetail(base, candidate)
    expect(changes?.decisions.map((d) => [d.nodeId, d.visit, d.candidate.outcome])).toEqual([['first', 2, 'z']])
  })

  it('keeps a decision whose other rules fired differently as detail, with its visit', () => {
    const base = run([decision('check', 'a', ['a']), decision('check', 'a', ['a'])])
    const candidate = run([decision('check', 'a', ['a']), decision('check', 'a', ['a', 'b'])])
    const { changes, detail } = compareRunsInDetail(base, candidate)
    expect(changes).toBeUndefined()
    expect(detail).toEqual([
      { nodeId: 'check', visit: 2, outcome: 'a', base: { fired: ['a'] }, candidate: { fired: ['a', 'b'] } },
    ])
  })

  it('leaves out a base decision the candidate never made (the path change says so)', () => {
    const base = run([decision('check', 'a'), decision('later', 'b')])
    const candidate = run([decision('check', 'a')])
    expect(compareRunsInDetail(base, candidate).changes).toBeUndefined()
  })
})
