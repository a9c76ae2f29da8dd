import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { USER_ROLES } from '@carepath/runtime'
import { createTestRuntime, intakeFlow, publishFlow, intakeSuite, type TestRuntime } from '@carepath/runtime/testing'
import { FOLLOWING_ROLES, mayFollow, subscriptionWords } from './flow-subscription.ts'

describe('the flow’s change-notice subscription control', () => {
  it('says the state in words, and what is happening while it changes', () => {
    expect(subscriptionWords({ subscribed: undefined, saving: false, error: null })).toBe('checking…')
    expect(subscriptionWords({ subscribed: true, saving: false, error: null })).toBe('subscribed')
    expect(subscriptionWords({ subscribed: false, saving: false, error: null })).toBe('not subscribed')
    expect(subscriptionWords({ subscribed: true, saving: true, error: null })).toBe('subscribing…')
    expect(subscriptionWords({ subscribed: false, saving: true, error: null })).toBe('unsubscribing…')
    expect(subscriptionWords({ subscribed: false, saving: false, error: 'No such flow.' })).toBe(
      'Not changed: No such flow.',
    )
  })

  it('is offered to the roles that read flows, compliance included, and not to admins', () => {
    expect(mayFollow('compliance')).toBe(true)
    expect(mayFollow('agent')).toBe(true)
    expect(mayFollow('admin')).toBe(false)
    expect(mayFollow(undefined)).toBe(false)
    for (const role of FOLLOWING_ROLES) expect(USER_ROLES).toContain(role)
  })
})

describe('the control against a real runtime', () => {
  let t: TestRuntime
  beforeAll(async () => {
    t = await createTestRuntime()
    await publishFlow(t, intakeFlow(), [intakeSuite])
  })
  afterAll(() => t.close())

  it('is offered to exactly the roles the server lets follow a flow, and what it sets is what they get', async () => {
    for (const role of USER_ROLES) {
      const answer = t.as[role].notices.subscribe({ flowId: 'intake-check', subscribed: true })
      if (mayFollow(role)) {
        await expect(answer).resolves.toEqual({ flowId: 'intake-check', subscribed: true })
        await expect(t.as[role].notices.subscription({ flowId: 'intake-check' })).resolves.toMatchObject({
          subscribed: true,
        })
        await t.as[role].notices.subscribe({ flowId: 'intake-check', subscribed: false })
        await expect(t.as[role].notices.subscription({ flowId: 'intake-check' })).resolves.toMatchObject({
          subscribed: false,
        })
      } else await expect(answer).rejects.toMatchObject({ code: 'FORBIDDEN' })
    }
  })
})
