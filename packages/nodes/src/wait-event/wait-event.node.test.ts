import { describe, expect, it } from 'vitest'
import { NodeError } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { waitEvent } from './wait-event.node.ts'

const now = '2026-03-02T09:00:00.000Z'
const config = (extra: Record<string, unknown> = {}) =>
  waitEvent.config.parse({ event: 'sms.reply', correlateOn: 'appointment.id', into: 'reply', ...extra })

describe('wait.event', () => {
  it('waits for the named message with the run’s key, until the timeout', () => {
    const ctx = createFakeContext({ now, facts: { appointment: { id: 'APT-7' } } })
    expect(waitEvent.execute(ctx, config({ timeout: 'P2D' }))).toEqual({
      kind: 'event',
      name: 'sms.reply',
      key: 'APT-7',
      until: '2026-03-04T09:00:00.000Z',
      into: 'reply',
    })
    expect(waitEvent.execute(ctx, config())).toMatchObject({ until: undefined })
  })

  it('fails on its error port when the run has no key', () => {
    const go = () => waitEvent.execute(createFakeContext({ now }), config())
    expect(go).toThrow(NodeError)
    expect(go).toThrow('The fact appointment.id holds no key to wait on.')
  })

  it('offers a timeout port only with a timeout, and declares what it reads and writes', () => {
    expect(waitEvent.ports(config()).map((p) => p.name)).toEqual(['received', 'error'])
    expect(waitEvent.ports(config({ timeout: 'PT4H' })).map((p) => p.name)).toEqual(['received', 'timeout', 'error'])
    expect(waitEvent.reads(config())).toEqual(['appointment.id'])
    expect(waitEvent.writes(config())).toEqual(['reply'])
    expect(waitEvent.config.safeParse({ event: 'SMS Reply', correlateOn: 'a', into: 'b' }).success).toBe(false)
  })
})
