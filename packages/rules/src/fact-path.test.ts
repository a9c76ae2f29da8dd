import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import { setPath } from './fact-path.ts'

describe('setPath', () => {
  it('creates the objects on the way and overwrites non-objects', () => {
    const target: Record<string, JsonValue> = { patient: 'x' }
    setPath(target, 'patient.name.first', 'Ann')
    expect(target).toEqual({ patient: { name: { first: 'Ann' } } })
  })

  it('never reaches Object.prototype through __proto__ or constructor segments', () => {
    const target: Record<string, JsonValue> = {}
    setPath(target, '__proto__.polluted', 'yes')
    setPath(target, 'constructor.prototype.polluted', 'yes')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype)
    expect(JSON.parse(JSON.stringify(target))).toEqual({
      ['__proto__']: { polluted: 'yes' },
      constructor: { prototype: { polluted: 'yes' } },
    })
  })
})
