import { describe, expect, it } from 'vitest'
import {
  CONDITION_FACT_ROOT_PATTERN,
  CONDITION_SEGMENT_PATTERN,
  FACT_NAME_PATTERN,
  FACT_PATH_PATTERN,
  factPathSchema,
  flowIdSchema,
  KEBAB_CASE_PATTERN,
  NODE_TYPE_PATTERN,
} from './names.ts'

describe('name syntax', () => {
  it('takes dotted fact paths of letters, digits and _, and refuses anything else', () => {
    for (const path of ['patient', 'patient.birthDate', '_x.a1.b_2'])
      expect(FACT_PATH_PATTERN.test(path), path).toBe(true)
    for (const path of ['', '1a', 'a.', '.a', 'a..b', 'a.b-c', 'a b', 'labs.0'])
      expect(FACT_PATH_PATTERN.test(path), path).toBe(false)
    expect(factPathSchema.safeParse('a.b-c').error?.issues[0]?.message).toBe(
      'a fact path is dotted names, like patient.birthDate',
    )
  })

  it('reads every fact path a node config writes in a rule condition too', () => {
    for (const path of ['patient.birthDate', '_x.a1.b_2']) {
      const [root, ...rest] = path.split('.')
      expect(CONDITION_FACT_ROOT_PATTERN.test(root ?? '')).toBe(true)
      expect(rest.every((segment) => CONDITION_SEGMENT_PATTERN.test(segment) && FACT_NAME_PATTERN.test(segment))).toBe(
        true,
      )
    }
    expect(CONDITION_SEGMENT_PATTERN.test('0')).toBe(true)
    expect(CONDITION_FACT_ROOT_PATTERN.test('0')).toBe(false)
  })

  it('spells flow ids kebab-case and node types as dotted lower-case words', () => {
    expect(flowIdSchema.safeParse('eligibility-verification').success).toBe(true)
    expect(flowIdSchema.safeParse('Eligibility').success).toBe(false)
    expect(KEBAB_CASE_PATTERN.test('front-desk')).toBe(true)
    expect(KEBAB_CASE_PATTERN.test('9lives')).toBe(false)
    expect(NODE_TYPE_PATTERN.test('fhir.read')).toBe(true)
    expect(NODE_TYPE_PATTERN.test('decision.table')).toBe(true)
    expect(NODE_TYPE_PATTERN.test('Fhir.read')).toBe(false)
    expect(NODE_TYPE_PATTERN.test('fhir.')).toBe(false)
  })
})
