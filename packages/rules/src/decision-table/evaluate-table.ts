import { andThen, type DecisionExplanation, type FactSchema, type JsonValue, type MaybePromise } from '@carepath/dsl'
import type { CompiledDecisionEvaluator } from '../compiled-rules.ts'
import { LazyExplanation, LazyRulesResult } from '../lazy-traces.ts'
import { compileParsedRules, type DecisionEvaluator, type DecisionInput, type DecisionResult } from '../evaluate.ts'
import { compileTable } from './compile-table.ts'
import type { Rule } from '../rule.schema.ts'
import { outcomeColumn, outcomeValues, outputKey, type DecisionTable } from './table.schema.ts'

/** What a decision table decided. */
export interface TableDecision {
  /** The port: an outcome column value, `matched` or `noMatch`. */
  outcome: string
  /** Column (fact path, else name) → value (empty when nothing matched, except collect aggregations). */
  outputs: Record<string, JsonValue>
  /** Row numbers (1-based) that matched, top to bottom. */
  matchedRows: number[]
  /** Set when a `unique` table had more than one matching row: the run must not go on. */
  violation?: string | undefined
  explanation: DecisionExplanation
}

/** A compiled table: build once (per flow hash and node) and call `decide` per run. */
export interface CompiledTable {
  evaluator: DecisionEvaluator
  /** A promise only when the evaluator must wait (see `DecisionEvaluator.evaluate`). */
  decide(input: DecisionInput): MaybePromise<TableDecision>
  /**
   * `decide` with the explanation's rule traces built only when read, when the evaluator is the
   * compiled one (else undefined).
   */
  decideLazily?: ((input: DecisionInput) => TableDecision) | undefined
}

export const NO_MATCH = 'noMatch'
export const MATCHED = 'matched'

/** Compile a decision table (validated by checkTable) into a reusable decider. */
export function compileDecisionTable(
  table: DecisionTable,
  schema?: FactSchema,
  /** The evaluator to run the compiled rows on (json-rules-engine unless comparing a candidate). */
  build: (rules: Rule[]) => DecisionEvaluator = compileParsedRules,
): CompiledTable {
  const evaluator = build(compileTable(table, schema))
  const outcomeAt = outcomeColumn(table)
  const ranks = table.outputs.map((o) =>
    o.priority ? new Map(o.priority.map((v, i) => [JSON.stringify(v), i])) : undefined,
  )
  const ports = new Set(outcomeValues(table))
  const fromResult = (result: DecisionResult): TableDecision => {
    const matched = result.events.map((e) => e.params?.row as number)
    let chosen: number[] = matched.slice(0, 1)
    let violation: string | undefined
    if (table.hitPolicy === 'unique' && matched.length > 1) {
      violation = `Rows ${matched.map((r) => r + 1).join(', ')} all match, but the table allows only one.`
    } else if (table.hitPolicy === 'priority' && matched.length > 1) {
      chosen = [[...matched].sort((a, b) => comparePriority(a, b, table, ranks) || a - b)[0] as number]
    } else if (table.hitPolicy === 'collect') {
      chosen = matched
    }
    const outputs = table.hitPolicy === 'collect' ? collectOutputs(table, chosen) : singleOutputs(table, chosen[0])
    const first = chosen[0]
    let outcome = first === undefined ? NO_MATCH : MATCHED
    if (first !== undefined && outcomeAt >= 0) {
      const value = table.rows[first]?.outputs[outcomeAt]
      outcome = typeof value === 'string' && ports.has(value) ? value : NO_MATCH
    }
    if (violation) outcome = NO_MATCH
    // The rule traces stay lazy when the evaluator built them lazily (the compiled one).
    const explanation: DecisionExplanation =
      result instanceof LazyRulesResult
        ? new LazyExplanation(outcome, result.fired, result)
        : { outcome, fired: result.fired, rules: result.rules }
    explanation.outputs = violation ? {} : outputs
    return {
      outcome,
      outputs: violation ? {} : outputs,
      matchedRows: matched.map((r) => r + 1),
      violation,
      explanation,
    }
  }
  const lazily = (evaluator as Partial<CompiledDecisionEvaluator>).evaluateLazily
  return {
    evaluator,
    decide: (input) => andThen(evaluator.evaluate(input), fromResult),
    decideLazily: lazily ? (input) => fromResult(lazily(input)) : undefined,
  }
}

function comparePriority(
  a: number,
  b: number,
  table: DecisionTable,
  ranks: (Map<string, number> | undefined)[],
): number {
  for (let c = 0; c < ranks.length; c++) {
    const rank = ranks[c]
    if (!rank) continue
    const ra = rank.get(JSON.stringify(table.rows[a]?.outputs[c] ?? null)) ?? Number.MAX_SAFE_INTEGER
    const rb = rank.get(JSON.stringify(table.rows[b]?.outputs[c] ?? null)) ?? Number.MAX_SAFE_INTEGER
    if (ra !== rb) return ra - rb
  }
  return 0
}

function singleOutputs(table: DecisionTable, row: number | undefined): Record<string, JsonValue> {
  if (row === undefined) return {}
  const out: Record<string, JsonValue> = {}
  table.outputs.forEach((o, c) => {
    out[outputKey(o)] = copy(table.rows[row]?.outputs[c] ?? null)
  })
  return out
}

function collectOutputs(table: DecisionTable, rows: number[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {}
  if (rows.length === 0 && table.aggregation === undefined) return out
  table.outputs.forEach((o, c) => {
    const values = rows.map((r) => copy(table.rows[r]?.outputs[c] ?? null))
    const numbers = values.filter((v): v is number => typeof v === 'number')
    switch (table.aggregation) {
      case 'count':
        out[outputKey(o)] = rows.length
        break
      case 'sum':
        out[outputKey(o)] = numbers.reduce((s, n) => s + n, 0)
        break
      case 'min':
        out[outputKey(o)] = numbers.length ? Math.min(...numbers) : null
        break
      case 'max':
        out[outputKey(o)] = numbers.length ? Math.max(...numbers) : null
        break
      default:
        out[outputKey(o)] = values
    }
  })
  return out
}

/** Output cells are config; what a run writes must never alias them. */
function copy(value: JsonValue): JsonValue {
  return value !== null && typeof value === 'object' ? structuredClone(value) : value
}
