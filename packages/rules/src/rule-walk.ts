import { canonicalFactPath } from './fact-path.ts'
import type { Condition, LeafCondition, Rule } from './rule.schema.ts'

/** A leaf condition with its canonical fact path and where it sits (`all.0`, `any.1.not`). */
export interface LeafInfo {
  at: string
  factPath: string
  /** The canonical path of a compared fact, when `value` is `{ fact }`. */
  valueFactPath?: string | undefined
  condition: LeafCondition
}

/** Every leaf condition of a rule, depth first, in document order. */
export function leavesOf(conditions: Condition, at = ''): LeafInfo[] {
  if ('all' in conditions) return conditions.all.flatMap((c, i) => leavesOf(c, join(at, `all.${i}`)))
  if ('any' in conditions) return conditions.any.flatMap((c, i) => leavesOf(c, join(at, `any.${i}`)))
  if ('not' in conditions) return leavesOf(conditions.not, join(at, 'not'))
  const factPath = canonical(conditions.fact, conditions.path)
  const value = conditions.value
  const valueFactPath =
    value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.fact === 'string'
      ? canonical(value.fact, typeof value.path === 'string' ? value.path : undefined)
      : undefined
  return [{ at, factPath, valueFactPath, condition: conditions }]
}

/** Every fact path the rules read (conditions and compared facts), sorted, without repeats. */
export function factPathsOf(rules: readonly Rule[]): string[] {
  const paths = new Set<string>()
  for (const rule of rules) {
    for (const leaf of leavesOf(rule.conditions)) {
      paths.add(leaf.factPath)
      if (leaf.valueFactPath) paths.add(leaf.valueFactPath)
    }
  }
  return [...paths].sort()
}

/** The tie-break order: higher priority first (default 1), then rule id by code unit. */
export function tieBreak(
  a: { id: string; priority?: number | undefined },
  b: { id: string; priority?: number | undefined },
): number {
  const p = (b.priority ?? 1) - (a.priority ?? 1)
  if (p !== 0) return p
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

function canonical(fact: string, path: string | undefined): string {
  const result = canonicalFactPath(fact, path)
  return result.ok ? result.path : fact
}
function join(a: string, b: string): string {
  return a ? `${a}.${b}` : b
}
