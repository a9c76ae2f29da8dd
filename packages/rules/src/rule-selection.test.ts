// What the selection of rules to test does on its own: which rules it tests for a value seen.
// That the rules that fire are unchanged is the parity property (compiled-parity.test.ts).
import { describe, expect, it } from 'vitest'
import { insidePiece, pieceOf, ruleSelection, type RuleTest, type SelectableLeaf } from './rule-selection.ts'

const clock = { now: '2026-03-15T10:00:00Z' }

/** `value ≥ threshold` at slot 0, as the compiled evaluator plans it. */
function atLeast(threshold: number, at = 'all.0'): SelectableLeaf {
  return {
    at,
    operator: 'greaterThanInclusive',
    slot: 0,
    valueSlot: -1,
    literal: threshold,
    apply: (seen) => typeof seen === 'number' && seen >= threshold,
  }
}

/** The rules tested and the rules fired for one value, rule i being `value ≥ i`. */
function run(leaves: SelectableLeaf[][], seen: unknown, maxFilterWords?: number) {
  const tested: number[] = []
  const tests: RuleTest[] = leaves.map((rule, i) => (values) => {
    tested.push(i)
    return rule.every((leaf) => leaf.apply(values[0], leaf.literal, clock))
  })
  const fired: number[] = []
  ruleSelection(leaves, maxFilterWords === undefined ? {} : { maxFilterWords }).fire(tests, [seen], clock, fired)
  return { tested, fired }
}

const bands = Array.from({ length: 40 }, (_, i) => [atLeast(i)])

describe('ruleSelection', () => {
  it('fires the rules whose thresholds a number passes, in rule order, without testing them', () => {
    // Every leaf of these rules is a threshold the bit sets decide.
    expect(run(bands, 5)).toEqual({ tested: [], fired: [0, 1, 2, 3, 4, 5] })
    expect(run(bands, 5.5).fired).toEqual([0, 1, 2, 3, 4, 5])
    expect(run(bands, -1).fired).toEqual([])
  })

  it('tests only the possible rules when a rule has a leaf no bit set decides', () => {
    const odd: SelectableLeaf = { ...atLeast(0, 'all.1'), operator: 'isOdd', apply: (seen) => Number(seen) % 2 === 1 }
    const mixed = bands.map((leaves) => [...leaves, odd])
    expect(run(mixed, 5)).toEqual({ tested: [0, 1, 2, 3, 4, 5], fired: [0, 1, 2, 3, 4, 5] })
    expect(run(mixed, 4)).toEqual({ tested: [0, 1, 2, 3, 4], fired: [] })
  })

  it('tests none of them for a missing value, and all of them for a value it cannot place', () => {
    expect(run(bands, undefined).tested).toEqual([])
    expect(run(bands, null).tested).toEqual([])
    // A numeric string is compared as JavaScript compares it: no bit set can say in advance.
    expect(run(bands, '7')).toEqual({ tested: Array.from({ length: 40 }, (_, i) => i), fired: [] })
    expect(run(bands, Number.NaN).tested).toHaveLength(40)
  })

  it('leaves a condition under `any` or `not` to the test (it is not necessary for the rule)', () => {
    const optional = Array.from({ length: 40 }, (_, i) => [atLeast(i, 'any.0')])
    expect(run(optional, 5)).toMatchObject({ tested: { length: 40 }, fired: [0, 1, 2, 3, 4, 5] })
  })

  it('tests every rule of a set too small to select from', () => {
    expect(run(bands.slice(0, 7), 0).tested).toHaveLength(7)
  })

  it('falls back to testing every rule when bit sets would not fit and no fact is pinned', () => {
    expect(run(bands, 5, 0)).toEqual({ tested: Array.from({ length: 40 }, (_, i) => i), fired: [0, 1, 2, 3, 4, 5] })
  })
})

describe('pieces of the number line', () => {
  const points = Float64Array.from([10, 20])
  it('numbers each piece: below, on, between, on, above', () => {
    expect([9, 10, 15, 20, 21].map((v) => pieceOf(points, v))).toEqual([0, 1, 2, 3, 4])
    expect([-Infinity, Infinity].map((v) => pieceOf(points, v))).toEqual([0, 4])
  })
  it('finds a number inside every piece', () => {
    for (let piece = 0; piece < 5; piece++) expect(pieceOf(points, insidePiece(points, piece))).toBe(piece)
  })
})
