import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import { compilePath, resolvePath, setPath } from './fact-path.ts'

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

describe('compilePath', () => {
  // One value per shape a step meets: plain members, arrays (indexed and mapped over), nulls,
  // primitives, and names Object.prototype has, which must read only the object's own members.
  const facts = JSON.parse(
    '{"patient":{"age":70,"name":{"first":"Ann"},"constructor":"own"},"results":[{"code":"A"},{"code":["B","C"]},{}],' +
      '"empty":null,"n":5,"__proto__":{"own":true}}',
  ) as JsonValue
  const paths = [
    'patient',
    'patient.age',
    'patient.name.first',
    'patient.name.first.length',
    'patient.missing.deeper',
    'patient.constructor',
    'patient.toString',
    'patient.hasOwnProperty',
    'patient.__proto__',
    '__proto__.own',
    'results.code',
    'results.0.code',
    'results.1.code.1',
    'results.length',
    'empty.anything',
    'n.toFixed',
    'constructor',
    'valueOf',
  ]

  it('reads what resolvePath reads, own members only', () => {
    for (const path of paths) expect(compilePath(path)(facts), path).toEqual(resolvePath(facts, `$.${path}`))
    expect(compilePath('patient.constructor')(facts)).toBe('own')
    expect(compilePath('patient.toString')(facts)).toBeUndefined()
    expect(compilePath('constructor')({})).toBeUndefined()
  })
})
