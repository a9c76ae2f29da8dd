import { describe, expect, it } from 'vitest'
import { NodeError } from '@carepath/dsl'
import { createFakeContext, FAKE_NOW } from './fake-context.ts'

describe('createFakeContext', () => {
  it('reads dotted paths through objects, like the engine (no array indexes)', () => {
    const ctx = createFakeContext({ facts: { patient: { name: [{ given: 'Ada' }] }, n: 0 } })
    expect(ctx.get('patient.name')).toEqual([{ given: 'Ada' }])
    expect(ctx.get('patient.name.0.given')).toBeUndefined()
    expect(ctx.get('n')).toBe(0)
    expect(ctx.get('patient.missing')).toBeUndefined()
    expect(ctx.get('n.deeper')).toBeUndefined()
  })

  it('freezes the facts and copies them, so a node cannot change the caller’s object', () => {
    const input = { patient: { age: 40 } }
    const ctx = createFakeContext({ facts: input })
    expect(() => {
      ;(ctx.facts['patient'] as Record<string, number>)['age'] = 1
    }).toThrow()
    expect(input.patient.age).toBe(40)
  })

  it('uses the injected clock', () => {
    expect(createFakeContext().now()).toBe(FAKE_NOW)
    expect(createFakeContext({ now: '2030-05-05T10:00:00Z' }).now()).toBe('2030-05-05T10:00:00Z')
  })

  it('records connector calls and refuses unknown connectors', async () => {
    const ctx = createFakeContext({ connectors: { fhir: async (request) => ({ echoed: request }) } })
    await expect(ctx.call('fhir', { id: 'p1' })).resolves.toEqual({ echoed: { id: 'p1' } })
    await expect(ctx.call('hl7', {})).rejects.toBeInstanceOf(NodeError)
    expect(ctx.calls).toEqual([{ connector: 'fhir', request: { id: 'p1' }, response: { echoed: { id: 'p1' } } }])
  })

  it('builds a memo value once', () => {
    const ctx = createFakeContext()
    const a = ctx.memo(() => ({ built: true }))
    const b = ctx.memo(() => ({ built: false }))
    expect(b).toBe(a)
    expect(ctx.memoBuilds).toBe(1)
  })
})
