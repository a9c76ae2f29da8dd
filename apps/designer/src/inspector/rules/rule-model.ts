// The rule shapes the builders edit: json-rules-engine rule JSON as packages/rules accepts it.
// Kept structural so a builder never drops a field it does not show.
import type { FactSchema, JsonValue } from '@carepath/dsl'
import { factAt } from '@carepath/dsl'

export interface Leaf {
  fact: string
  path?: string
  operator: string
  value: JsonValue
}
export type Group = { all: Cond[] } | { any: Cond[] } | { not: Cond }
export type Cond = Leaf | Group

export interface RuleJson {
  id: string
  name?: string
  priority?: number
  conditions: Group
  event: { type: string; params?: Record<string, JsonValue> }
}

/** Operators offered by the builder, grouped by the fact type they make sense for. */
export const OPERATORS: { name: string; label: string; for: ('string' | 'number' | 'boolean' | 'date' | 'any')[] }[] = [
  { name: 'equal', label: '=', for: ['any'] },
  { name: 'notEqual', label: '≠', for: ['any'] },
  { name: 'lessThan', label: '<', for: ['number'] },
  { name: 'lessThanInclusive', label: '≤', for: ['number'] },
  { name: 'greaterThan', label: '>', for: ['number'] },
  { name: 'greaterThanInclusive', label: '≥', for: ['number'] },
  { name: 'between', label: 'between', for: ['number'] },
  { name: 'in', label: 'is one of', for: ['string', 'number'] },
  { name: 'notIn', label: 'is none of', for: ['string', 'number'] },
  { name: 'contains', label: 'contains', for: ['any'] },
  { name: 'doesNotContain', label: 'does not contain', for: ['any'] },
  { name: 'startsWith', label: 'starts with', for: ['string'] },
  { name: 'matches', label: 'matches pattern', for: ['string'] },
  { name: 'exists', label: 'is present', for: ['any'] },
  { name: 'missing', label: 'is missing', for: ['any'] },
  { name: 'dateBefore', label: 'before', for: ['date'] },
  { name: 'dateAfter', label: 'after', for: ['date'] },
  { name: 'dateOnOrBefore', label: 'on or before', for: ['date'] },
  { name: 'dateOnOrAfter', label: 'on or after', for: ['date'] },
  { name: 'withinDays', label: 'within days', for: ['date'] },
  { name: 'ageAtLeast', label: 'age at least', for: ['date'] },
  { name: 'ageBelow', label: 'age below', for: ['date'] },
  { name: 'inValueSet', label: 'in value set', for: ['string'] },
]

export function isLeaf(c: Cond): c is Leaf {
  return 'fact' in c
}
export function groupKind(g: Group): 'all' | 'any' | 'not' {
  return 'all' in g ? 'all' : 'any' in g ? 'any' : 'not'
}
export function groupItems(g: Group): Cond[] {
  return 'all' in g ? g.all : 'any' in g ? g.any : [g.not]
}
export function withItems(kind: 'all' | 'any' | 'not', items: Cond[]): Group {
  if (kind === 'not') return { not: items[0] ?? { all: [] } }
  return kind === 'all' ? { all: items } : { any: items }
}

/** The kind of value a fact holds, for choosing operators and the value input. */
export function factKind(facts: FactSchema, path: string): 'string' | 'number' | 'boolean' | 'date' | 'any' {
  const node = factAt(facts, path)
  if (!node) return 'any'
  if (node.format === 'date' || node.format === 'date-time') return 'date'
  if (node.type === 'number' || node.type === 'integer') return 'number'
  if (node.type === 'boolean') return 'boolean'
  if (node.type === 'string') return 'string'
  return 'any'
}

/** Read what the analyst typed: numbers, true/false, lists and objects as JSON, the rest as text. */
export function parseValue(text: string, kind: string): JsonValue {
  const trimmed = text.trim()
  if (kind === 'string' && !/^[[{]/.test(trimmed)) return text
  try {
    return JSON.parse(trimmed) as JsonValue
  } catch {
    return text
  }
}
export function showValue(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

export function newLeaf(facts: FactSchema, paths: readonly string[]): Leaf {
  const fact = paths.find((p) => factAt(facts, p)?.type !== 'object') ?? ''
  return { fact, operator: 'equal', value: '' }
}
