import type { FactSchema, JsonValue } from '@carepath/dsl'
import type { Condition, LeafCondition, Rule } from '../rule.schema.ts'
import { columnInfo } from './columns.ts'
import { rowId, type DecisionTable } from './table.schema.ts'
import { parseCell, type Cell, type Literal, type Test } from './unary.ts'

/**
 * Compile a decision table to json-rules-engine rules: one rule per row, `all` of its cells
 * (a `-` cell adds no condition), priority = rows below it + 1 so rule order is row order,
 * event `{ type: 'row', params: { row: <index> } }`. Throws on a cell `checkTable` refuses.
 */
export function compileTable(table: DecisionTable, schema?: FactSchema): Rule[] {
  const columns = table.inputs.map((input) => columnInfo(schema, input.fact))
  return table.rows.map((row, index) => {
    const all: Condition[] = []
    row.cells.forEach((raw, c) => {
      const input = table.inputs[c]
      if (!input) return
      const parsed = parseCell(raw, columns[c]?.type)
      if (!parsed.ok) throw new Error(`Row ${index + 1}, input ${c + 1}: ${parsed.message}`)
      const condition = cellCondition(input.fact, parsed.cell)
      if (condition) all.push(condition)
    })
    return {
      id: rowId(table, index),
      priority: table.rows.length - index,
      conditions: { all },
      event: { type: 'row', params: { row: index } },
    }
  })
}

/** The condition for one cell, or undefined for `-` (any). */
export function cellCondition(fact: string, cell: Cell): Condition | undefined {
  if (cell.kind === 'any') return undefined
  const tests = cell.tests
  const equals = tests.every((t) => t.kind === 'cmp' && t.op === '=' && t.value.type !== 'date')
  let positive: Condition
  if (tests.length > 1 && equals) {
    positive = leaf(
      fact,
      'in',
      tests.map((t) => (t.kind === 'cmp' ? (t.value.value as JsonValue) : null)),
    )
  } else if (tests.length === 1) {
    positive = testCondition(fact, tests[0] as Test)
  } else {
    positive = { any: tests.map((t) => testCondition(fact, t)) }
  }
  if (!cell.negated) return positive
  // not(...) must not match a missing value: absent is never silently true.
  return { all: [leaf(fact, 'exists', true), { not: positive }] }
}

function testCondition(fact: string, test: Test): Condition {
  if (test.kind === 'range') {
    const { lo, hi, loIn, hiIn } = test
    if (loIn && hiIn) return leaf(fact, 'between', [lo.value as JsonValue, hi.value as JsonValue])
    return { all: [compare(fact, loIn ? '>=' : '>', lo), compare(fact, hiIn ? '<=' : '<', hi)] }
  }
  return compare(fact, test.op, test.value)
}

const NUMBER_OPS = {
  '<': 'lessThan',
  '<=': 'lessThanInclusive',
  '>': 'greaterThan',
  '>=': 'greaterThanInclusive',
} as const
const DATE_OPS = { '<': 'dateBefore', '<=': 'dateOnOrBefore', '>': 'dateAfter', '>=': 'dateOnOrAfter' } as const

function compare(fact: string, op: '=' | '<' | '<=' | '>' | '>=', value: Literal): LeafCondition {
  if (value.type === 'date')
    return op === '=' ? leaf(fact, 'between', [value.value, value.value]) : leaf(fact, DATE_OPS[op], value.value)
  if (op === '=') return leaf(fact, 'equal', value.value)
  return leaf(fact, NUMBER_OPS[op], value.value)
}

function leaf(fact: string, operator: string, value: JsonValue): LeafCondition {
  return { fact, operator, value }
}
