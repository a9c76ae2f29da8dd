import { factAt, type FactSchema, type JsonValue } from '@carepath/dsl'
import { parseRules } from './check-rules.ts'
import { addDays, addYears, parseDate } from './dates.ts'
import { compileTable } from './decision-table/compile-table.ts'
import type { DecisionTable } from './decision-table/table.schema.ts'
import { setPath } from './fact-path.ts'
import { dateOperand } from './operators.ts'
import { samplePattern } from './pattern-sample.ts'
import { leavesOf, type LeafInfo } from './rule-walk.ts'
import type { Condition, Rule } from './rule.schema.ts'

/** A decision to generate cases for: rules (raw, as in a node config) or a decision table. */
export type DecisionSource =
  | { kind: 'rules'; rules: unknown }
  | { kind: 'table'; table: DecisionTable }
  /** Rules another decision kind compiled itself (switch). */
  | { kind: 'parsed'; rules: readonly Rule[] }

/** The clock cases are placed against when none is given (document it with any generated suite). */
export const REFERENCE_NOW = '2026-01-01T00:00:00Z'

const MISSING = Symbol('missing')
type Value = JsonValue | typeof MISSING
type Assignment = Map<string, Value>

/**
 * Partial fact snapshots that make every rule (or table row) fire and not fire, hit each
 * boundary of every numeric and date threshold (below, at, above), each listed code, and a
 * missing value of every fact read. Deterministic: same decision, schema and clock, same list.
 * A rule whose pattern (`matches`) cannot be satisfied from the schema gets its other cases.
 */
export function generateCases(
  decision: DecisionSource,
  schema: FactSchema,
  options: { now?: string | undefined } = {},
): Record<string, JsonValue>[] {
  const rules: readonly Rule[] =
    decision.kind === 'rules'
      ? parseRules(decision.rules)
      : decision.kind === 'table'
        ? compileTable(decision.table, schema)
        : decision.rules
  const gen = new Generator(schema, options.now ?? REFERENCE_NOW)
  const out: Record<string, JsonValue>[] = []
  const seen = new Set<string>()
  const push = (a: Assignment): void => {
    const snapshot: Record<string, JsonValue> = {}
    for (const [path, value] of [...a.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      if (value !== MISSING) setPath(snapshot, path, value)
    }
    const key = JSON.stringify(snapshot)
    if (!seen.has(key)) {
      seen.add(key)
      out.push(snapshot)
    }
  }
  const alone: Assignment[] = []
  for (const rule of rules) {
    const fire = gen.satisfy(rule.conditions) ?? new Map()
    // Each condition deciding its rule on its own (MC/DC-style): every sibling in an `all`
    // true, every sibling in an `any` false, so only this condition's value moves the result.
    for (const leaf of leavesOf(rule.conditions)) {
      const neutral = gen.decisive(rule.conditions, leaf.at)
      if (!neutral) continue
      for (const value of [gen.leaf(leaf, true), gen.leaf(leaf, false), ...gen.variants(leaf)])
        if (value) alone.push(merge(neutral, value))
    }
    push(fire)
    push(merge(fire, gen.falsify(rule.conditions) ?? new Map()))
    for (const leaf of leavesOf(rule.conditions)) {
      for (const variant of gen.variants(leaf)) push(merge(fire, variant))
      push(merge(fire, new Map([[leaf.factPath, MISSING]])))
    }
  }
  // After the others, so the cases generated before keep their places.
  for (const a of alone) push(a)
  return out
}

function merge(a: Assignment, b: Assignment): Assignment {
  const m = new Map(a)
  for (const [k, v] of b) m.set(k, v)
  return m
}
const one = (path: string, value: Value): Assignment => new Map([[path, value]])
const round = (n: number): number => Math.round(n * 1e6) / 1e6

class Generator {
  private readonly now: string
  constructor(
    private readonly schema: FactSchema,
    now: string,
  ) {
    this.now = now
  }

  satisfy(c: Condition): Assignment | undefined {
    if ('all' in c)
      return c.all.reduce<Assignment>((acc, child) => merge(acc, this.satisfy(child) ?? new Map()), new Map())
    if ('any' in c) return c.any.map((child) => this.satisfy(child)).find((a) => a !== undefined)
    if ('not' in c) return this.falsify(c.not)
    return this.leaf(leavesOf(c)[0] as LeafInfo, true)
  }

  /**
   * The other conditions of a rule set so that the condition at `target` alone decides it:
   * siblings in an `all` true, siblings in an `any` false (through `not` as it is). Undefined
   * when a sibling cannot be set so.
   */
  decisive(c: Condition, target: string, at = ''): Assignment | undefined {
    if ('all' in c || 'any' in c) {
      const isAll = 'all' in c
      const list = isAll ? c.all : c.any
      let acc: Assignment = new Map()
      let inner: Assignment | undefined
      for (let i = 0; i < list.length; i++) {
        const child = list[i] as Condition
        const childAt = at ? `${at}.${isAll ? 'all' : 'any'}.${i}` : `${isAll ? 'all' : 'any'}.${i}`
        if (target === childAt || target.startsWith(`${childAt}.`)) {
          inner = this.decisive(child, target, childAt)
          if (!inner) return undefined
        } else {
          const other = isAll ? this.satisfy(child) : this.falsify(child)
          if (!other) return undefined
          acc = merge(acc, other)
        }
      }
      return inner ? merge(acc, inner) : undefined
    }
    if ('not' in c) return this.decisive(c.not, target, at ? `${at}.not` : 'not')
    return at === target ? new Map() : undefined
  }

  falsify(c: Condition): Assignment | undefined {
    if ('all' in c) return c.all.map((child) => this.falsify(child)).find((a) => a !== undefined)
    if ('any' in c)
      return c.any.reduce<Assignment>((acc, child) => merge(acc, this.falsify(child) ?? new Map()), new Map())
    if ('not' in c) return this.satisfy(c.not)
    return this.leaf(leavesOf(c)[0] as LeafInfo, false)
  }

  /** One value that makes the leaf true (want) or false. */
  leaf(info: LeafInfo, want: boolean): Assignment | undefined {
    const values = this.values(info)
    const pick = want ? values.sat : values.fal
    return pick
  }

  /** Boundary and listed-value variants of a leaf. */
  variants(info: LeafInfo): Assignment[] {
    return this.values(info).variants
  }

  private values(info: LeafInfo): { sat?: Assignment; fal?: Assignment; variants: Assignment[] } {
    const { factPath: p, condition } = info
    const v = condition.value
    const op = condition.operator
    if (info.valueFactPath) return this.factPair(p, info.valueFactPath, op)
    const set = (...xs: Value[]): Assignment[] => xs.map((x) => one(p, x))
    switch (op) {
      case 'equal':
      case 'notEqual': {
        const other = this.different(p, v)
        const around =
          typeof v === 'number' ? set(round(v - this.step(p, v)), v, round(v + this.step(p, v))) : set(v, other)
        return op === 'equal'
          ? { sat: one(p, v), fal: one(p, other), variants: around }
          : { sat: one(p, other), fal: one(p, v), variants: around }
      }
      case 'lessThan':
      case 'lessThanInclusive':
      case 'greaterThan':
      case 'greaterThanInclusive': {
        const t = v as number
        const s = this.step(p, t)
        const [below, at, above] = [round(t - s), t, round(t + s)]
        const pairs: Record<string, [number, number]> = {
          lessThan: [below, at],
          lessThanInclusive: [at, above],
          greaterThan: [above, at],
          greaterThanInclusive: [at, below],
        }
        const [sat, fal] = pairs[op] as [number, number]
        return { sat: one(p, sat), fal: one(p, fal), variants: set(below, at, above) }
      }
      case 'in':
      case 'notIn':
      case 'inValueSet': {
        const list = (v as JsonValue[]) ?? []
        const outside = this.outside(p, list)
        const first = list[0] ?? null
        const variants = set(...list, outside)
        return op === 'notIn'
          ? { sat: one(p, outside), fal: one(p, first), variants }
          : { sat: one(p, first), fal: one(p, outside), variants }
      }
      case 'contains':
        return { sat: one(p, [v]), fal: one(p, []), variants: set([v], []) }
      case 'doesNotContain':
        return { sat: one(p, []), fal: one(p, [v]), variants: set([v], []) }
      case 'exists': {
        const sample = this.sample(p)
        return v === true
          ? { sat: one(p, sample), fal: one(p, MISSING), variants: [] }
          : { sat: one(p, MISSING), fal: one(p, sample), variants: [] }
      }
      case 'dateBefore':
      case 'dateAfter':
      case 'dateOnOrBefore':
      case 'dateOnOrAfter': {
        const d = dateOperand(v, { now: this.now })
        if (!d) return { variants: [] }
        const [below, at, above] = [
          this.date(p, addDays(d, -1)),
          this.date(p, addDays(d, 0)),
          this.date(p, addDays(d, 1)),
        ]
        const pairs: Record<string, [string, string]> = {
          dateBefore: [below, at],
          dateOnOrBefore: [at, above],
          dateAfter: [above, at],
          dateOnOrAfter: [at, below],
        }
        const [sat, fal] = pairs[op] as [string, string]
        return { sat: one(p, sat), fal: one(p, fal), variants: set(below, at, above) }
      }
      case 'withinDays': {
        const now = parseDate(this.now)
        if (!now) return { variants: [] }
        const n = v as number
        const days = [-n - 1, -n, -n + 1, n - 1, n, n + 1].map((k) => this.date(p, addDays(now, k)))
        return { sat: one(p, this.date(p, addDays(now, 0))), fal: one(p, days[0] as string), variants: set(...days) }
      }
      case 'ageAtLeast':
      case 'ageBelow': {
        const years = typeof v === 'number' ? v : ((v as { years: number }).years ?? 0)
        const at = parseDate(typeof v === 'number' ? this.now : ((v as { at?: string }).at ?? this.now))
        if (!at) return { variants: [] }
        const birthday = parseDate(addYears(at, -years))
        if (!birthday) return { variants: [] }
        // Born exactly `years` ago today is the boundary: one day later is a year younger.
        const [younger, exact, older] = [addDays(birthday, 1), addDays(birthday, 0), addDays(birthday, -1)].map((d) =>
          this.date(p, d),
        ) as [string, string, string]
        return op === 'ageAtLeast'
          ? { sat: one(p, exact), fal: one(p, younger), variants: set(younger, exact, older) }
          : { sat: one(p, younger), fal: one(p, exact), variants: set(younger, exact, older) }
      }
      case 'between': {
        const [lo, hi] = v as [JsonValue, JsonValue]
        if (typeof lo === 'number' && typeof hi === 'number') {
          const s = Math.min(this.step(p, lo), this.step(p, hi))
          return {
            sat: one(p, lo),
            fal: one(p, round(lo - s)),
            variants: set(round(lo - s), lo, round(lo + s), round(hi - s), hi, round(hi + s)),
          }
        }
        const a = parseDate(lo)
        const b = parseDate(hi)
        if (!a || !b) return { variants: [] }
        const ds = [addDays(a, -1), addDays(a, 0), addDays(a, 1), addDays(b, -1), addDays(b, 0), addDays(b, 1)].map(
          (d) => this.date(p, d),
        )
        return { sat: one(p, ds[1] as string), fal: one(p, ds[0] as string), variants: set(...ds) }
      }
      case 'startsWith': {
        const prefix = v as string
        return {
          sat: one(p, `${prefix}0`),
          fal: one(p, `~${prefix}`),
          variants: set(prefix, `${prefix}0`, `~${prefix}`),
        }
      }
      case 'matches': {
        const re = new RegExp(v as string, 'u')
        const candidates = (factAt(this.schema, p)?.enum ?? []).map(String)
        const hit = candidates.find((c) => re.test(c)) ?? samplePattern(v as string)
        const miss = ['', '~', ...candidates].find((c) => !re.test(c))
        return {
          sat: hit === undefined ? undefined : one(p, hit),
          fal: miss === undefined ? undefined : one(p, miss),
          variants: [],
        }
      }
      default:
        return { variants: [] }
    }
  }

  /** Two facts compared with each other: below / at / above by the left one. */
  private factPair(p: string, q: string, op: string): { sat?: Assignment; fal?: Assignment; variants: Assignment[] } {
    const isDate = op.startsWith('date') || factAt(this.schema, p)?.format !== undefined
    const now = parseDate(this.now)
    const val = (k: number): JsonValue => (isDate && now ? this.date(p, addDays(now, k)) : k)
    const pair = (a: number, b: number): Assignment =>
      new Map<string, Value>([
        [p, val(a)],
        [q, val(b)],
      ])
    const table: Record<string, [number, number]> = {
      equal: [0, -1],
      notEqual: [-1, 0],
      lessThan: [-1, 0],
      lessThanInclusive: [0, 1],
      greaterThan: [1, 0],
      greaterThanInclusive: [0, -1],
      dateBefore: [-1, 0],
      dateOnOrBefore: [0, 1],
      dateAfter: [1, 0],
      dateOnOrAfter: [0, -1],
    }
    const offsets = table[op]
    if (!offsets) return { variants: [] }
    return { sat: pair(offsets[0], 0), fal: pair(offsets[1], 0), variants: [pair(-1, 0), pair(0, 0), pair(1, 0)] }
  }

  private step(path: string, threshold: number): number {
    return factAt(this.schema, path)?.type === 'integer' || Number.isInteger(threshold) ? 1 : 0.01
  }

  private sample(path: string): JsonValue {
    const node = factAt(this.schema, path)
    if (node?.enum?.length) return node.enum[0] as JsonValue
    if (node?.type === 'number' || node?.type === 'integer') return 1
    if (node?.type === 'boolean') return true
    if (node?.format) return this.date(path, this.now.slice(0, 10))
    return 'x'
  }

  private different(path: string, value: JsonValue): JsonValue {
    const listed = factAt(this.schema, path)?.enum?.find((e) => e !== value)
    if (listed !== undefined) return listed
    if (typeof value === 'number') return value + 1
    if (typeof value === 'boolean') return !value
    return `${String(value)}-other`
  }

  private outside(path: string, list: JsonValue[]): JsonValue {
    const listed = factAt(this.schema, path)?.enum?.find((e) => !list.includes(e))
    if (listed !== undefined) return listed
    if (list.every((x) => typeof x === 'number')) return Math.max(...(list as number[]), 0) + 1
    return 'not-listed'
  }

  private date(path: string, day: string): string {
    return factAt(this.schema, path)?.format === 'date-time' ? `${day}T12:00:00Z` : day
  }
}
