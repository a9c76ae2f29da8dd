import { describe, expect, it } from 'vitest'
import type { DecisionExplanation } from '@carepath/dsl'
import {
  decisionForAudit,
  decisionsFromStoredPath,
  explanationForAudit,
  pathShapeSchema,
  phiReference,
  storedPath,
} from './decision-why.ts'

const SECRET = 'installation-secret-for-tests'
const NAME = 'Ottoline Referencewood'
const MRN = 'MRN-55501234'

function explanation(seen: { name: string; mrn: string; age: number }): DecisionExplanation {
  return {
    outcome: 'review',
    fired: ['older'],
    rules: [
      {
        id: 'older',
        fired: true,
        conditions: [
          { path: 'all.0', fact: 'patient.age', operator: 'greaterThan', expected: 64, seen: seen.age, result: true },
          { path: 'all.1', fact: 'patient.name', operator: 'notEqual', expected: '', seen: seen.name, result: true },
          // Compared with another fact: the value on the right is a patient value too.
          {
            path: 'all.2',
            fact: 'patient.mrn',
            operator: 'equal',
            expected: seen.mrn,
            expectedFact: 'lookup.mrn',
            seen: seen.mrn,
            result: true,
          },
        ],
      },
    ],
    outputs: { 'patient.name': seen.name },
  }
}

describe('the decision why in the audit trail', () => {
  it('gives equal values the same reference, across calls and records', () => {
    expect(phiReference(SECRET, NAME)).toBe(phiReference(SECRET, NAME))
    expect(phiReference(SECRET, { a: 1, b: [2] })).toBe(phiReference(SECRET, { b: [2], a: 1 }))
    const first = explanationForAudit(explanation({ name: NAME, mrn: MRN, age: 70 }), SECRET)
    const again = explanationForAudit(explanation({ name: NAME, mrn: MRN, age: 70 }), SECRET)
    expect(again).toEqual(first)
  })

  it('gives different values (or another installation secret) different references', () => {
    expect(phiReference(SECRET, NAME)).not.toBe(phiReference(SECRET, 'Someone Else'))
    expect(phiReference(SECRET, 70)).not.toBe(phiReference(SECRET, '70'))
    expect(phiReference(SECRET, NAME)).not.toBe(phiReference('another-secret', NAME))
    const a = explanationForAudit(explanation({ name: NAME, mrn: MRN, age: 70 }), SECRET)
    const b = explanationForAudit(explanation({ name: 'Someone Else', mrn: MRN, age: 70 }), SECRET)
    expect(b.rules[0]?.conditions[1]?.seen).not.toBe(a.rules[0]?.conditions[1]?.seen)
    expect(b.rules[0]?.conditions[0]?.seen).toBe(a.rules[0]?.conditions[0]?.seen)
  })

  it('holds no patient value, and keeps the thresholds written in the flow', () => {
    const audited = decisionForAudit(
      { nodeId: 'triage', port: 'review', explanation: explanation({ name: NAME, mrn: MRN, age: 70 }) },
      SECRET,
    )
    const text = JSON.stringify(audited)
    expect(text).not.toContain(NAME)
    expect(text).not.toContain(MRN)
    expect(text).not.toMatch(/"seen":70\b/)
    // Outputs are values the decision produced from patient data: not kept at all.
    expect(text).not.toContain('outputs')
    const [age, name, mrn] = audited.explanation.rules[0]!.conditions
    expect(audited).toMatchObject({
      node: 'triage',
      port: 'review',
      explanation: { outcome: 'review', fired: ['older'] },
    })
    expect(age).toEqual({
      path: 'all.0',
      fact: 'patient.age',
      operator: 'greaterThan',
      expected: 64,
      seen: phiReference(SECRET, 70),
      result: true,
    })
    expect(name?.expected).toBe('')
    expect(name?.seen).toMatch(/^hmac:[0-9a-f]{24}$/)
    // A fact compared with a fact: both sides are references.
    expect(mrn?.expected).toBe(phiReference(SECRET, MRN))
    expect(mrn?.seen).toBe(phiReference(SECRET, MRN))
  })

  it("stores a step's decisions as one path and their references, and reads them back whole", () => {
    const older = decisionForAudit(
      { nodeId: 'age-check', port: 'review', explanation: explanation({ name: NAME, mrn: MRN, age: 70 }) },
      SECRET,
    )
    const none = decisionForAudit(
      { nodeId: 'nothing', port: 'default', explanation: { outcome: 'default', fired: [], rules: [] } },
      SECRET,
    )
    const younger = decisionForAudit(
      { nodeId: 'age-again', port: 'review', explanation: explanation({ name: 'Other', mrn: 'MRN-2', age: 20 }) },
      SECRET,
    )
    const { stored, shape } = storedPath([older, none, younger])
    expect(stored.seen).toMatch(/^[0-9a-f]{144}$/)
    expect(shape.json).not.toContain(NAME)
    const path = pathShapeSchema.parse(JSON.parse(shape.json))
    expect(decisionsFromStoredPath(stored, path)).toEqual([older, none, younger])
    // Another step on the same path with another name seen: the same path, other references.
    const again = storedPath([
      older,
      none,
      decisionForAudit(
        { nodeId: 'age-again', port: 'review', explanation: explanation({ name: 'Third', mrn: 'MRN-2', age: 20 }) },
        SECRET,
      ),
    ])
    expect(again.shape.hash).toBe(shape.hash)
    expect(again.stored.seen).not.toBe(stored.seen)
    // References that do not add up to the path's conditions are refused, not misplaced.
    expect(() => decisionsFromStoredPath({ ...stored, seen: stored.seen.slice(24) }, path)).toThrow(
      /5 references for the 6 conditions/,
    )
  })
})
