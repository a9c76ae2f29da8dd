import { describe, expect, it } from 'vitest'
import { factAt, listFactPaths, phiClassAt, type FactSchema } from './facts-schema.ts'

const schema: FactSchema = {
  type: 'object',
  properties: {
    patient: {
      type: 'object',
      'x-phi': 'demographic',
      properties: { name: { type: 'string' }, mrn: { type: 'string', 'x-phi': 'identifier' } },
    },
    labs: {
      type: 'array',
      items: {
        type: 'object',
        'x-phi': 'clinical',
        properties: { code: { type: 'string', 'x-phi': 'none' }, value: { type: 'number' } },
      },
    },
    note: { type: 'string' },
  },
}

describe('facts schema helpers', () => {
  it('factAt walks dotted paths, through arrays, and only declared properties', () => {
    expect(factAt(schema, 'patient.name')).toEqual({ type: 'string' })
    expect(factAt(schema, 'labs.value')).toEqual({ type: 'number' })
    expect(factAt(schema, 'patient.age')).toBeUndefined()
    expect(factAt(schema, 'constructor')).toBeUndefined()
    expect(factAt(schema, 'patient.__proto__')).toBeUndefined()
  })

  it('factAt and phiClassAt read a numeric segment as an array index (rule paths like $.labs.0.code)', () => {
    expect(factAt(schema, 'labs.0.code')).toEqual({ type: 'string', 'x-phi': 'none' })
    expect(factAt(schema, 'labs.12.value')).toEqual({ type: 'number' })
    expect(factAt(schema, 'patient.0')).toBeUndefined()
    expect(phiClassAt(schema, 'labs.0.value')).toBe('clinical')
  })

  it('phiClassAt takes the nearest x-phi; unclassified and unknown paths give undefined', () => {
    expect(phiClassAt(schema, 'patient.name')).toBe('demographic')
    expect(phiClassAt(schema, 'patient.mrn')).toBe('identifier')
    expect(phiClassAt(schema, 'labs.value')).toBe('clinical')
    expect(phiClassAt(schema, 'labs.code')).toBe('none')
    expect(phiClassAt(schema, 'note')).toBeUndefined()
    expect(phiClassAt(schema, 'patient.toString')).toBeUndefined()
  })

  it('listFactPaths lists parents before children', () => {
    expect(listFactPaths(schema)).toEqual([
      'patient',
      'patient.name',
      'patient.mrn',
      'labs',
      'labs.code',
      'labs.value',
      'note',
    ])
  })
})
