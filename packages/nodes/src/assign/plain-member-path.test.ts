// The plain-path walk must give what Medplum's evaluation gives, or step aside: checked on
// generated facts whose members include the names Medplum treats by type (resourceType, value,
// code, coding, id, extension), with nulls, empty strings, empty and nested arrays.
import { evalFhirPathTyped, parseFhirPath, toTypedValue } from '@medplum/core'
import { describe, expect, it } from 'vitest'
import type { JsonValue } from '@carepath/dsl'
import { evaluateFhirPath } from './fhirpath.ts'
import { plainMemberPath, walkPlainPath } from './plain-member-path.ts'
import { seededRandom as random } from '../testing/seeded-random.ts'

const NOW = '2026-12-06T10:00:00Z'
const NAMES = ['a', 'b', 'value', 'code', 'coding', 'resourceType', 'id', 'unit']

function generatedValue(next: () => number, depth: number): JsonValue {
  const roll = next()
  if (depth > 3 || roll < 0.35) return [null, '', 'x', 0, 7, 2.5, true, false][Math.floor(next() * 8)]!
  if (roll < 0.55) return Array.from({ length: Math.floor(next() * 3) }, () => generatedValue(next, depth + 1))
  const object: Record<string, JsonValue> = {}
  for (const name of NAMES) if (next() < 0.4) object[name] = generatedValue(next, depth + 1)
  return object
}

const medplum = (expression: string, facts: Record<string, JsonValue>) =>
  evalFhirPathTyped(parseFhirPath(expression), [toTypedValue(facts)], {}).map((typed) => typed.value)

describe('plain member paths', () => {
  it('reads only member chains as plain paths', () => {
    expect(plainMemberPath(parseFhirPath('message.summary.patient.mrn'))).toEqual([
      'message',
      'summary',
      'patient',
      'mrn',
    ])
    for (const expression of ["a.where(b = 'x')", 'a.first()', 'a[0]', 'a | b', '%now', 'a.id', 'a.toString', "'a'"])
      expect(plainMemberPath(parseFhirPath(expression)), expression).toBeUndefined()
  })

  it('gives what Medplum gives, or steps aside, on 3,000 generated facts and paths', () => {
    let walked = 0
    for (let seed = 1; seed <= 3000; seed++) {
      const next = random(seed)
      const root = generatedValue(next, 0)
      const facts = typeof root === 'object' && root !== null && !Array.isArray(root) ? root : { a: root }
      const expression = Array.from({ length: 1 + Math.floor(next() * 3) }, () => NAMES[Math.floor(next() * 3)]!).join(
        '.',
      )
      const plain = walkPlainPath(facts, plainMemberPath(parseFhirPath(expression)) ?? [])
      if (plain) walked++
      expect(evaluateFhirPath(parseFhirPath(expression), facts, NOW), `facts ${seed}, ${expression}`).toEqual(
        medplum(expression, facts),
      )
    }
    // A good share must be answered by the walk itself, or the comparison proves little (members
    // are missing often, and a missing member is for Medplum).
    expect(walked).toBeGreaterThan(500)
  })

  it('leaves FHIR resources, quantities and codings to Medplum', () => {
    const path = ['p', 'value']
    expect(walkPlainPath({ p: { resourceType: 'Patient', value: 1 } }, path)).toBeUndefined()
    expect(walkPlainPath({ p: { value: 5, unit: 'mg' } }, path)).toBeUndefined()
    expect(walkPlainPath({ p: { code: 'x', value: 'y' } }, path)).toBeUndefined()
    expect(walkPlainPath({ p: { other: 1 } }, path)).toBeUndefined()
    expect(walkPlainPath({ p: [{ value: 'a' }, null, { value: ['b', null, 'c'] }] }, path)).toEqual(['a', 'b', 'c'])
  })
})
