import { describe, expect, it } from 'vitest'
import { checkFacts, factAt, listFactPaths, phiClassAt, type FactSchema } from './facts-schema.ts'

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

describe('checkFacts: a run input against the facts schema', () => {
  const strict: FactSchema = {
    type: 'object',
    required: ['patient'],
    properties: {
      ...schema.properties,
      patient: {
        type: 'object',
        required: ['mrn'],
        properties: {
          mrn: { type: 'string' },
          birthDate: { type: 'string', format: 'date' },
          sex: { type: 'string', enum: ['F', 'M', 'X'] },
        },
      },
      count: { type: 'integer' },
    },
  }

  it('accepts an input that fits, absent optional facts and nulls included', () => {
    expect(checkFacts(strict, { patient: { mrn: 'A1', birthDate: '1990-02-28', sex: 'F' }, note: null })).toBe(
      undefined,
    )
    expect(checkFacts(strict, { patient: { mrn: 'A1' }, labs: [{ code: 'x', value: 2.5 }], count: 3 })).toBe(undefined)
  })

  it('refuses {} and missing required facts', () => {
    expect(checkFacts(schema, {})).toEqual({ path: 'input', message: "The input holds none of this flow's facts." })
    expect(checkFacts(strict, { note: 'n' })?.path).toBe('input.patient')
    expect(checkFacts(strict, { patient: {} })?.message).toBe('input.patient.mrn: this fact is required.')
  })

  it('refuses wrong types, bad dates and values outside an enum, naming the declared path', () => {
    expect(checkFacts(strict, { patient: { mrn: 7 } })?.message).toBe('input.patient.mrn: expected text.')
    expect(checkFacts(strict, { patient: { mrn: 'A', birthDate: '1990-02-30' } })?.path).toBe('input.patient.birthDate')
    expect(checkFacts(strict, { patient: { mrn: 'A', sex: 'Q' } })?.path).toBe('input.patient.sex')
    expect(checkFacts(strict, { patient: { mrn: 'A' }, count: 1.5 })?.message).toBe(
      'input.count: expected a whole number.',
    )
    expect(checkFacts(strict, { patient: { mrn: 'A' }, labs: [{ value: 'high' }] })?.path).toBe('input.labs.0.value')
    expect(checkFacts(strict, [])?.message).toBe('input: expected an object.')
  })

  it('refuses a field the schema does not declare without echoing its name', () => {
    const problem = checkFacts(strict, { patient: { mrn: 'A', 'Jane Doe 1970-01-01': true } })
    expect(problem?.path).toBe('input.patient')
    expect(JSON.stringify(problem)).not.toContain('Jane')
    expect(JSON.stringify(checkFacts(strict, { patient: { mrn: 'A' }, __proto__x: 1 }))).not.toContain('__proto__x')
  })
})
