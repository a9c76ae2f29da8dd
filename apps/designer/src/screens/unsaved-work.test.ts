import { describe, expect, it } from 'vitest'
import { leaveQuestion } from './unsaved-work.ts'

describe('leaveQuestion', () => {
  it('asks about unsaved test cases as well as the flow', () => {
    expect(leaveQuestion({ flowDirty: false, casesDirty: true, readOnly: false })).toMatch(/test cases/)
    expect(leaveQuestion({ flowDirty: true, casesDirty: false, readOnly: false })).toMatch(/^This flow has unsaved/)
    expect(leaveQuestion({ flowDirty: true, casesDirty: true, readOnly: false })).toMatch(/flow and its test cases/)
  })

  it('asks nothing when nothing would be lost, or for a reader who cannot change the flow', () => {
    expect(leaveQuestion({ flowDirty: false, casesDirty: false, readOnly: false })).toBeNull()
    expect(leaveQuestion({ flowDirty: true, casesDirty: true, readOnly: true })).toBeNull()
  })
})
