// The classes an agent may see: the union of what their queues' flow roles ask for, each role
// capped by its queue's clearance where an admin set one (no clearance: no cap).
import { describe, expect, it } from 'vitest'
import type { FlowDocument, PhiClass } from '@carepath/dsl'
import { allowedClasses, withClearance, type QueueClearances, type Viewer } from './redaction-gate.ts'

const flow: Pick<FlowDocument, 'roles'> = {
  roles: {
    benefits: { phi: ['demographic', 'coverage'] },
    billing: { phi: ['financial', 'contact'] },
    nurse: { phi: ['clinical'] },
  },
}
const sorted = (classes: PhiClass[]) => [...classes].sort()
const agent = (flowRoles: string[], clearance?: QueueClearances): Viewer => ({ role: 'agent', flowRoles, clearance })

describe('allowedClasses with queue clearances', () => {
  it('caps each flow role by its queue’s clearance', () => {
    const clearance = new Map([['benefits', ['demographic'] as const]])
    expect(sorted(allowedClasses(agent(['benefits'], clearance), flow))).toEqual(['demographic', 'none'])
    // A clearance of nothing leaves only what is not PHI.
    expect(allowedClasses(agent(['benefits'], new Map([['benefits', []]])), flow)).toEqual(['none'])
  })

  it('caps nothing where no clearance is set, or when none were loaded', () => {
    const clearance = new Map([['billing', ['financial'] as const]])
    expect(sorted(allowedClasses(agent(['benefits'], clearance), flow))).toEqual(['coverage', 'demographic', 'none'])
    expect(sorted(allowedClasses(agent(['benefits']), flow))).toEqual(['coverage', 'demographic', 'none'])
  })

  it('caps each role separately for a person who works every queue (*)', () => {
    const clearance = new Map<string, readonly PhiClass[]>([
      ['benefits', ['demographic']],
      ['billing', ['contact', 'clinical']],
    ])
    // benefits loses coverage, billing loses financial (clinical in billing's clearance adds nothing
    // billing asks for), nurse has no clearance and keeps clinical.
    expect(sorted(allowedClasses(agent(['*'], clearance), flow))).toEqual([
      'clinical',
      'contact',
      'demographic',
      'none',
    ])
  })

  it('gives other roles no patient data, and loads clearances for agents only', async () => {
    const reviewer: Viewer = { role: 'reviewer', flowRoles: ['*'] }
    expect(allowedClasses(reviewer, flow)).toEqual(['none'])
    let loads = 0
    const load = async () => {
      loads += 1
      return new Map([['benefits', ['demographic'] as const]])
    }
    expect(await withClearance(reviewer, load)).toBe(reviewer)
    expect(loads).toBe(0)
    const seen = await withClearance(agent(['benefits']), load)
    expect(loads).toBe(1)
    expect(sorted(allowedClasses(seen, flow))).toEqual(['demographic', 'none'])
  })
})
