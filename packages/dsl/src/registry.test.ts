import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { defineNodeType, type AnyNodeType } from './node-type.ts'
import { createNodeRegistry } from './registry.ts'
import { testAsk, testDecide, testEnd, testTrigger } from './testing/test-registry.ts'

const base = {
  typeVersion: 1,
  title: 'X',
  description: 'X',
  category: 'Data' as const,
  icon: 'X',
  config: z.object({ n: z.number().min(1) }),
  defaults: { n: 1 },
  ports: () => [],
  reads: () => [],
  writes: () => [],
  phi: [],
  execute: () => ({ kind: 'end' as const, outcome: 'x' }),
}

describe('defineNodeType', () => {
  it('refuses a malformed type id, invalid defaults and migration gaps', () => {
    expect(() => defineNodeType({ ...base, type: 'Acme.X' })).toThrow(/lower-case words joined by dots/)
    expect(() => defineNodeType({ ...base, type: 'acme..x' })).toThrow(/lower-case words joined by dots/)
    expect(() => defineNodeType({ ...base, type: 'acme.' })).toThrow(/lower-case words joined by dots/)
    expect(defineNodeType({ ...base, type: 'end' }).type).toBe('end')
    expect(() => defineNodeType({ ...base, type: 'acme.x', defaults: { n: 0 } })).toThrow(/defaults that fail/)
    expect(() => defineNodeType({ ...base, type: 'acme.x', typeVersion: 2 })).toThrow(
      /typeVersion 2 but has 0 migrations/,
    )
    expect(() =>
      defineNodeType({ ...base, type: 'acme.x', typeVersion: 2, migrations: [{ to: 3, name: 'skip', up: (c) => c }] }),
    ).toThrow(/must go to 2/)
    expect(defineNodeType({ ...base, type: 'acme.x' }).type).toBe('acme.x')
  })
})

describe('createNodeRegistry', () => {
  const registry = createNodeRegistry([testEnd, testTrigger, testDecide, testAsk])

  it('looks types up and lists them sorted by id', () => {
    expect(registry.get('test.decide')).toBe(testDecide)
    expect(registry.has('acme.fax')).toBe(false)
    expect(registry.list().map((t) => t.type)).toEqual(['test.ask', 'test.decide', 'test.end', 'test.trigger'])
  })

  it('groups the palette in the documented category order', () => {
    expect(registry.palette().map((g) => g.category)).toEqual(['Trigger', 'Decision', 'Human', 'Flow'])
  })

  it('refuses a type registered twice', () => {
    expect(() => createNodeRegistry([testEnd, testEnd as AnyNodeType])).toThrow(/registered twice/)
  })
})
