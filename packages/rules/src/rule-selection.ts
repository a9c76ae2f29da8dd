import type { JsonValue } from '@carepath/dsl'
import { isMissing, type ClockSlot } from './operators.ts'

/**
 * Which rules an evaluation needs to test. json-rules-engine reports every rule that fires, so
 * every rule that can fire must be tested; a rule whose necessary condition fails on the value
 * seen cannot fire and is skipped. Three ways, chosen once per rule set:
 *
 * - **Bit sets** (`FilterSelection`): per fact that enough rules constrain, one bit set over the
 *   rules per kind of value seen: per literal for `equal` / `in`, per interval between the
 *   thresholds of `<`, `<=`, `>`, `>=`, `between`. An evaluation ANDs the sets of the values seen
 *   and tests only the rules left, in tie-break order. A 100-rule set whose rules each pin a plan,
 *   a score threshold and an age window tests the ~10 rules that fire instead of ~67.
 * - **Buckets** (`BucketSelection`), when the bit sets would take too much memory (a 10,000-row
 *   table keyed by 2,000 CPT codes): the rules pinned to the value seen of one fact, merged with
 *   the rules without a pin on it.
 * - Every rule (`testEveryRule`), for small or unconstrained rule sets.
 *
 * A bit set only ever leaves out a rule whose condition fails on the value seen (it is built by
 * running the condition's own test on one value of each interval or key), and the rules left are
 * tested in full: the rules that fire, and their order, are those of testing every rule.
 */
export interface RuleSelection {
  /** Push the index of every rule that fires, ascending. */
  fire(tests: readonly RuleTest[], values: Values, clock: ClockSlot, firedAt: number[]): void
}

export type Values = readonly unknown[]
export type RuleTest = (values: Values, clock: ClockSlot) => boolean

/** What selection needs of a compiled rule's leaves. */
export interface SelectableLeaf {
  /** Where the leaf sits: `all.0`, `any.1.not`; '' when the leaf is the whole condition. */
  at: string
  operator: string
  slot: number
  /** The slot of a compared fact, or -1 for a literal. */
  valueSlot: number
  literal: JsonValue
  /** The operator with its literal bound in. */
  apply(seen: unknown, expected: unknown, clock: ClockSlot): boolean
}

/** Constrain a fact only when enough rules do for the lookup to pay. */
const MIN_CONSTRAINED_RULES = 8

export interface SelectionOptions {
  /** The most 32-bit words a rule set's bit sets may take (default 1 MiB's worth); past it, buckets. */
  maxFilterWords?: number
}

/** Choose how a rule set (its rules' leaves, in tie-break order) selects the rules to test. */
export function ruleSelection(
  rules: readonly (readonly SelectableLeaf[])[],
  { maxFilterWords = 1 << 18 }: SelectionOptions = {},
): RuleSelection {
  const necessary = rules.map((leaves) => leaves.filter(isNecessaryLiteral))
  const plans = filterPlans(necessary)
  if (plans.length === 0) return testEveryRule
  const words = plans.reduce((sum, plan) => sum + plan.words(rules.length), 0)
  if (words > maxFilterWords) return bucketSelection(necessary) ?? testEveryRule
  // A rule whose every leaf a bit set decides needs no test when the sets were sure of the values.
  const decided = new Set(plans.map((plan) => `${plan.kind} ${plan.slot}`))
  const covered = rules.map((leaves) =>
    leaves.every((leaf) => isNecessaryLiteral(leaf) && decided.has(`${kindOf(leaf)} ${leaf.slot}`)),
  )
  return new FilterSelection(
    plans.map((plan) => plan.build(rules.length)),
    bitSet(rules.length, (i) => covered[i] === true),
  )
}

const testEveryRule: RuleSelection = {
  fire(tests, values, clock, firedAt) {
    for (let i = 0; i < tests.length; i++) if ((tests[i] as RuleTest)(values, clock)) firedAt.push(i)
  },
}

/** A leaf under `all`s only (every evaluation of the rule that fires passes it), against a literal. */
function isNecessaryLiteral(leaf: SelectableLeaf): boolean {
  return leaf.valueSlot < 0 && /^(all\.\d+(\.|$))*$/.test(leaf.at)
}

type Key = string | number | boolean
const isKey = (v: unknown): v is Key =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Number.isNaN(v))

/** The literal keys of an `equal` or `in` leaf, or undefined when it is not one. */
function keysOf(leaf: SelectableLeaf): Key[] | undefined {
  if (leaf.operator === 'equal' && isKey(leaf.literal)) return [leaf.literal]
  if (leaf.operator === 'in' && Array.isArray(leaf.literal) && leaf.literal.every(isKey)) return leaf.literal
  return undefined
}

const kindOf = (leaf: SelectableLeaf): FilterPlan['kind'] | undefined =>
  keysOf(leaf) ? 'key' : thresholdsOf(leaf) ? 'range' : undefined

/** The thresholds of a numeric comparison leaf, or undefined when it is not one. */
function thresholdsOf(leaf: SelectableLeaf): number[] | undefined {
  const { operator, literal } = leaf
  if (/^(less|greater)Than(Inclusive)?$/.test(operator)) return typeof literal === 'number' ? [literal] : undefined
  if (operator !== 'between' || !Array.isArray(literal) || literal.length !== 2) return undefined
  const [lo, hi] = literal
  return typeof lo === 'number' && typeof hi === 'number' ? [lo, hi] : undefined
}

const NO_CLOCK: ClockSlot = { now: '' }

/** One fact's constraints, before its bit sets are built (so their size can be weighed first). */
interface FilterPlan {
  kind: 'key' | 'range'
  slot: number
  words(ruleCount: number): number
  build(ruleCount: number): FactFilter
}

/** The rules a value seen at one fact leaves possible. */
interface FactFilter {
  slot: number
  possible(seen: unknown): Uint32Array
  /** What `possible` gives for a value it cannot place: every rule, its leaves undecided. */
  unsure?: Uint32Array
}

function filterPlans(necessary: readonly (readonly SelectableLeaf[])[]): FilterPlan[] {
  const slots = [...new Set(necessary.flat().map((leaf) => leaf.slot))].sort((a, b) => a - b)
  const plans: FilterPlan[] = []
  for (const slot of slots) {
    const keyed = necessary.map((leaves) => leaves.filter((l) => l.slot === slot && keysOf(l)))
    if (countConstrained(keyed) >= MIN_CONSTRAINED_RULES) plans.push(keyPlan(slot, keyed))
    const ranged = necessary.map((leaves) => leaves.filter((l) => l.slot === slot && thresholdsOf(l)))
    if (countConstrained(ranged) >= MIN_CONSTRAINED_RULES) plans.push(rangePlan(slot, ranged))
  }
  return plans
}

const countConstrained = (perRule: readonly (readonly SelectableLeaf[])[]): number =>
  perRule.filter((leaves) => leaves.length > 0).length
const wordsFor = (ruleCount: number): number => Math.ceil(ruleCount / 32)

/** A bit set with the rules of `passes` set. */
function bitSet(ruleCount: number, passes: (rule: number) => boolean): Uint32Array {
  const set = new Uint32Array(wordsFor(ruleCount))
  for (let i = 0; i < ruleCount; i++) if (passes(i)) set[i >>> 5] = (set[i >>> 5] as number) | (1 << (i & 31))
  return set
}

const passesAll = (leaves: readonly SelectableLeaf[], seen: unknown): boolean =>
  leaves.every((leaf) => leaf.apply(seen, leaf.literal, NO_CLOCK))

/** `equal` / `in` leaves: a bit set per key listed, and one for any other value. */
function keyPlan(slot: number, perRule: readonly (readonly SelectableLeaf[])[]): FilterPlan {
  const keys = [...new Set(perRule.flat().flatMap((leaf) => keysOf(leaf) ?? []))]
  return {
    kind: 'key',
    slot,
    words: (ruleCount) => (keys.length + 1) * wordsFor(ruleCount),
    build(ruleCount) {
      const sets = new Map(keys.map((key) => [key, bitSet(ruleCount, (i) => passesAll(perRule[i] ?? [], key))]))
      // A value listed by no rule (or no key at all: missing, an object) fails every `equal` and `in`.
      const other = bitSet(ruleCount, (i) => perRule[i]?.length === 0)
      return { slot, possible: (seen) => (isKey(seen) ? sets.get(seen) : undefined) ?? other }
    },
  }
}

/**
 * Numeric comparisons: the thresholds cut the number line into points and open intervals, and
 * each piece gets the bit set of the rules whose comparisons one number inside it passes (every
 * number in a piece passes the same comparisons). A missing value fails them all; any other value
 * (a numeric string, which the operators compare as JavaScript does) leaves every rule possible.
 */
function rangePlan(slot: number, perRule: readonly (readonly SelectableLeaf[])[]): FilterPlan {
  const points = Float64Array.from(new Set(perRule.flat().flatMap((leaf) => thresholdsOf(leaf) ?? []))).sort()
  return {
    kind: 'range',
    slot,
    words: (ruleCount) => (2 * points.length + 3) * wordsFor(ruleCount),
    build(ruleCount) {
      const pieces = Array.from({ length: 2 * points.length + 1 }, (_, piece) =>
        bitSet(ruleCount, (i) => passesAll(perRule[i] ?? [], insidePiece(points, piece))),
      )
      const absent = bitSet(ruleCount, (i) => passesAll(perRule[i] ?? [], undefined))
      const every = bitSet(ruleCount, () => true)
      return {
        slot,
        unsure: every,
        possible(seen) {
          if (typeof seen === 'number')
            return Number.isNaN(seen) ? every : (pieces[pieceOf(points, seen)] as Uint32Array)
          return isMissing(seen) ? absent : every
        },
      }
    },
  }
}

/**
 * Pieces of the number line cut at sorted `points` p0 < p1 < …: 0 is (-∞, p0), 2k + 1 is the point
 * pk, 2k + 2 is (pk, pk+1), the last is (plast, ∞).
 */
export function pieceOf(points: Float64Array, value: number): number {
  // The last point at or below the value (-1 when none), by binary search.
  let lo = 0
  let hi = points.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((points[mid] as number) <= value) lo = mid + 1
    else hi = mid
  }
  const at = lo - 1
  return at >= 0 && points[at] === value ? 2 * at + 1 : 2 * at + 2
}

/** A number inside a piece (see pieceOf). */
export function insidePiece(points: Float64Array, piece: number): number {
  const k = piece >>> 1
  if (piece % 2 === 1) return points[k] as number
  if (k === 0) return -Infinity
  if (k === points.length) return Infinity
  const below = points[k - 1] as number
  return below + ((points[k] as number) - below) / 2
}

/**
 * Bit sets ANDed per evaluation; the rules left tested in order, except those the sets decided
 * whole (every leaf of the rule in a set that was sure of its value): they fire untested.
 */
class FilterSelection implements RuleSelection {
  /** Reused by every evaluation: an evaluation runs to its end before the next begins. */
  private readonly scratch: Uint32Array
  private readonly none: Uint32Array

  constructor(
    private readonly filters: readonly FactFilter[],
    /** The rules whose every leaf a filter decides. */
    private readonly covered: Uint32Array,
  ) {
    this.scratch = new Uint32Array(covered.length)
    this.none = new Uint32Array(covered.length)
  }

  fire(tests: readonly RuleTest[], values: Values, clock: ClockSlot, firedAt: number[]): void {
    const { filters, scratch } = this
    let sure = true
    for (let f = 0; f < filters.length; f++) {
      const filter = filters[f] as FactFilter
      const set = filter.possible(values[filter.slot])
      if (set === filter.unsure) sure = false
      if (f === 0) scratch.set(set)
      else for (let w = 0; w < scratch.length; w++) scratch[w] = (scratch[w] as number) & (set[w] as number)
    }
    const decided = sure ? this.covered : this.none
    for (let w = 0; w < scratch.length; w++) {
      let bits = scratch[w] as number
      const fires = decided[w] as number
      while (bits !== 0) {
        const lowest = bits & -bits
        bits ^= lowest
        const i = (w << 5) + 31 - Math.clz32(lowest)
        if ((fires & lowest) !== 0 || (tests[i] as RuleTest)(values, clock)) firedAt.push(i)
      }
    }
  }
}

/**
 * Buckets by one fact's pinned keys: the fact that leaves the fewest rules to test for a typical
 * value (rules without a pin on it plus the average bucket), ties to the lowest slot.
 */
function bucketSelection(necessary: readonly (readonly SelectableLeaf[])[]): RuleSelection | undefined {
  // Per rule: fact slot → the keys of its first `equal` / `in` leaf on that fact.
  const pinned = necessary.map((leaves) => {
    const pins = new Map<number, Key[]>()
    for (const leaf of leaves) {
      const keys = keysOf(leaf)
      if (keys && !pins.has(leaf.slot)) pins.set(leaf.slot, keys)
    }
    return pins
  })
  const entries = new Map<number, { keys: Set<Key>; pinned: number; listed: number }>()
  for (const pins of pinned) {
    for (const [slot, keys] of pins) {
      const entry = entries.get(slot) ?? { keys: new Set(), pinned: 0, listed: 0 }
      entry.pinned++
      entry.listed += keys.length
      for (const key of keys) entry.keys.add(key)
      entries.set(slot, entry)
    }
  }
  let best: number | undefined
  let bestCost = Infinity
  for (const [slot, e] of [...entries].sort(([a], [b]) => a - b)) {
    if (e.pinned < MIN_CONSTRAINED_RULES) continue
    const cost = necessary.length - e.pinned + e.listed / e.keys.size
    if (cost < bestCost) {
      best = slot
      bestCost = cost
    }
  }
  if (best === undefined) return undefined
  const lists = new Map<Key, number[]>()
  const rest: number[] = []
  pinned.forEach((pins, i) => {
    const keys = pins.get(best)
    if (!keys) return rest.push(i)
    for (const key of new Set(keys)) {
      const list = lists.get(key)
      if (list) list.push(i)
      else lists.set(key, [i])
    }
  })
  const buckets = new Map([...lists].map(([key, list]) => [key, Int32Array.from(list)]))
  return new BucketSelection(best, buckets, Int32Array.from(rest))
}

class BucketSelection implements RuleSelection {
  constructor(
    private readonly slot: number,
    private readonly buckets: ReadonlyMap<Key, Int32Array>,
    /** The rules without a pin on the fact. */
    private readonly rest: Int32Array,
  ) {}

  /** Test the rules of the value's bucket and the rest, two ascending lists, in ascending order. */
  fire(tests: readonly RuleTest[], values: Values, clock: ClockSlot, firedAt: number[]): void {
    const seen = values[this.slot]
    const a = (isKey(seen) ? this.buckets.get(seen) : undefined) ?? EMPTY
    const rest = this.rest
    let i = 0
    let j = 0
    while (i < a.length || j < rest.length) {
      const next = j >= rest.length || (i < a.length && (a[i] as number) < (rest[j] as number)) ? a[i++] : rest[j++]
      if ((tests[next as number] as RuleTest)(values, clock)) firedAt.push(next as number)
    }
  }
}
const EMPTY = new Int32Array(0)
