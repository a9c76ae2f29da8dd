import { describe, expect, it } from 'vitest'
import { parseRoute } from './route.ts'

describe('parseRoute', () => {
  it('opens the Audit screen at #/audit, and keeps the other screens where they were', () => {
    expect(parseRoute('#/audit')).toEqual({ screen: 'audit' })
    expect(parseRoute('#/audit/access')).toEqual({ screen: 'access' })
    expect(parseRoute('#/audit/reveals')).toEqual({ screen: 'reveals' })
    expect(parseRoute('#/runs?flow=intake')).toEqual({ screen: 'runs', flowId: 'intake' })
    expect(parseRoute('#/inbox/t-1')).toEqual({ screen: 'task', taskId: 't-1' })
    expect(parseRoute('#/admin')).toEqual({ screen: 'admin' })
    expect(parseRoute('#/nowhere')).toEqual({ screen: 'flows' })
    expect(parseRoute('#/operations')).toEqual({ screen: 'operations', tab: 'incidents' })
    expect(parseRoute('#/operations/dead-letters')).toEqual({ screen: 'operations', tab: 'dead-letters' })
    expect(parseRoute('#/operations/owners')).toEqual({ screen: 'operations', tab: 'owners' })
    expect(parseRoute('#/operations/nothing')).toEqual({ screen: 'operations', tab: 'incidents' })
    expect(parseRoute('#/my-alerts')).toEqual({ screen: 'my-alerts' })
    expect(parseRoute('#/phi-map')).toEqual({ screen: 'phi-map' })
  })
})
