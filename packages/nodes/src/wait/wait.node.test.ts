import { describe, expect, it } from 'vitest'
import { NodeError } from '@carepath/dsl'
import { createFakeContext } from '../testing/fake-context.ts'
import { wait } from './wait.node.ts'

const now = '2025-03-10T09:15:00.000Z'
const run = (config: unknown, facts = {}) => wait.execute(createFakeContext({ now, facts }), wait.config.parse(config))

describe('wait', () => {
  it('waits a duration from the injected clock', () => {
    expect(run({ mode: 'duration', duration: 'PT30M' })).toEqual({
      kind: 'wait',
      until: '2025-03-10T09:45:00.000Z',
      port: 'due',
    })
    expect(run({ mode: 'duration', duration: 'P2D' })).toMatchObject({ until: '2025-03-12T09:15:00.000Z' })
  })

  it('waits until a date fact, plus an optional offset', () => {
    const facts = { appointment: { date: '2025-03-20' } }
    expect(run({ mode: 'until', untilFrom: 'appointment.date' }, facts)).toMatchObject({
      until: '2025-03-20T00:00:00.000Z',
    })
    expect(run({ mode: 'until', untilFrom: 'appointment.date', offset: 'PT8H' }, facts)).toMatchObject({
      until: '2025-03-20T08:00:00.000Z',
    })
  })

  it('fails with a plain message when the fact holds no date', () => {
    const go = () => run({ mode: 'until', untilFrom: 'appointment.date' }, { appointment: { date: 'soon' } })
    expect(go).toThrow(NodeError)
    expect(go).toThrow('The fact appointment.date does not hold a date to wait for.')
    expect(() => run({ mode: 'until', untilFrom: 'appointment.date' })).toThrow(NodeError)
  })

  it('refuses durations that are not ISO-8601 and declares what it reads', () => {
    expect(wait.config.safeParse({ mode: 'duration', duration: '30 minutes' }).success).toBe(false)
    expect(wait.config.safeParse({ mode: 'until' }).success).toBe(false)
    expect(wait.reads(wait.config.parse({ mode: 'until', untilFrom: 'a.b' }))).toEqual(['a.b'])
    expect(wait.ports(wait.config.parse(wait.defaults))).toEqual([{ name: 'due', required: true, title: 'Time is up' }])
    expect(wait.ports(wait.config.parse({ mode: 'until', untilFrom: 'a.b' })).map((port) => port.name)).toEqual([
      'due',
      'error',
    ])
  })
})
