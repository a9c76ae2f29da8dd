import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { USER_ROLES } from '@carepath/runtime'
import { createTestRuntime, type TestRuntime } from '@carepath/runtime/testing'
import { PHI_ROLLUP_ROLES } from './phi-map-roles.ts'

describe('the installation PHI map screen', () => {
  let t: TestRuntime
  beforeAll(async () => {
    t = await createTestRuntime()
  })
  afterAll(() => t.close())

  it('is offered to exactly the roles the runtime lets read the map and mark it reviewed', async () => {
    expect(PHI_ROLLUP_ROLES).toContain('compliance')
    for (const role of USER_ROLES) {
      const read = t.as[role].phiMap.rollup()
      if (PHI_ROLLUP_ROLES.includes(role)) {
        await expect(read).resolves.toMatchObject({ flows: expect.any(Array) })
      } else await expect(read).rejects.toMatchObject({ code: 'FORBIDDEN' })
    }
    expect((await t.as.compliance.phiMap.rollup()).review).toBeNull()
    const marked = await t.as.compliance.phiMap.markReviewed()
    expect(marked).toMatchObject({ review: { reviewedOn: t.runtime.now().toISOString() }, overdue: false })
  })
})
