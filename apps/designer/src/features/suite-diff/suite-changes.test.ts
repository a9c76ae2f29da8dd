import { describe, expect, it } from 'vitest'
import type { TestCase } from '../../suites/suite.store.ts'
import { noSuiteChanges, suiteChanges } from './suite-changes.ts'

const kept: TestCase = { id: 'kept', name: 'copay $30', input: { copay: 30 }, expect: { outcome: 'verified' } }
const moved: TestCase = { id: 'moved', name: 'copay at $50', input: { copay: 50 }, expect: { outcome: 'verified' } }
const dropped: TestCase = { id: 'dropped', input: { copay: 10 } }

describe('suiteChanges', () => {
  it('names the cases added, removed and changed between two versions', () => {
    const after: TestCase[] = [
      kept,
      { ...moved, expect: { outcome: 'estimate' } },
      { id: 'new', name: 'copay $75', input: { copay: 75 } },
    ]
    expect(suiteChanges([kept, moved, dropped], after)).toEqual({
      added: ['copay $75'],
      removed: ['dropped'],
      changed: ['copay at $50'],
    })
  })

  it('sees no change in the same cases, whatever order their keys were written in', () => {
    const reordered = { expect: { outcome: 'verified' }, input: { copay: 30 }, name: 'copay $30', id: 'kept' }
    const changes = suiteChanges([kept], [reordered as TestCase])
    expect(noSuiteChanges(changes)).toBe(true)
  })
})
