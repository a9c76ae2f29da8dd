import { describe, expect, it } from 'vitest'
import { createFakeContext } from '../testing/fake-context.ts'
import { triggerWebhook } from './trigger-webhook.node.ts'

describe('trigger.webhook', () => {
  it('is an entry point that continues once the verified body is in the facts', async () => {
    const config = triggerWebhook.config.parse({ path: 'lab-results' })
    expect(triggerWebhook.trigger).toBe(true)
    expect(config).toMatchObject({ secret: 'default', toleranceSeconds: 300, into: 'webhook' })
    expect(await triggerWebhook.execute(createFakeContext({ facts: { webhook: { event: 'x' } } }), config)).toEqual({
      kind: 'next',
      port: 'next',
    })
    expect(() => triggerWebhook.execute(createFakeContext({ facts: {} }), config)).toThrow('no webhook body')
  })

  it('keeps secrets out of the flow: only a secret name is accepted', () => {
    expect(triggerWebhook.config.safeParse({ path: 'x', secret: 'whsec_9f8e7d6c5b4a/+==' }).success).toBe(false)
    expect(triggerWebhook.config.safeParse({ path: 'Bad Path' }).success).toBe(false)
  })
})
