import type { ConfigProblem, FactSchema } from '@carepath/dsl'
import { canonicalFactPath } from '../fact-path.ts'
import { EVENT_TYPE } from '../rule.schema.ts'
import { analyzeTable } from './analyze-table.ts'
import { columnInfo, type ColumnInfo } from './columns.ts'
import { decisionTableSchema, outcomeColumn, outputKey, rowId, type DecisionTable } from './table.schema.ts'
import { parseCell, type Cell, type Literal } from './unary.ts'

/**
 * Everything wrong with a decision table, with row numbers: malformed cells and shapes
 * (`malformed-rule`), cells that do not fit the fact's schema type (`table-type-mismatch`), and
 * the analysis: overlapping rows under `unique` (`table-overlap`), rows a `first` table never
 * reaches (`table-unreachable-row`), inputs no row covers (`table-gap`, a warning).
 * @param raw the table (the node config); paths are relative to it
 */
export function checkTable(raw: unknown, schema?: FactSchema): ConfigProblem[] {
  const parsed = decisionTableSchema.safeParse(raw)
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      code: 'malformed-rule',
      severity: 'error',
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }))
  }
  const table = parsed.data
  const problems: ConfigProblem[] = []
  const add = (
    code: ConfigProblem['code'],
    path: string,
    message: string,
    severity: 'error' | 'warning' = 'error',
  ): void => {
    problems.push({ code, severity, path, message })
  }
  const inputs = table.inputs.map((i) => columnInfo(schema, i.fact))
  const outputs = table.outputs.map((o) => (o.fact ? columnInfo(schema, o.fact) : undefined))
  checkColumns(table, add)
  const cells: Cell[][] = []
  const seenIds = new Map<string, number>()
  table.rows.forEach((row, r) => {
    const n = r + 1
    // Rows without an id are called row-<n>; an explicit id may not take such a name twice.
    const id = rowId(table, r)
    if (seenIds.has(id))
      add(
        'malformed-rule',
        `rows.${r}${row.id ? '.id' : ''}`,
        `Row ${n} has the same id "${id}" as row ${(seenIds.get(id) ?? 0) + 1}.`,
      )
    seenIds.set(id, r)
    if (row.cells.length !== table.inputs.length)
      add(
        'malformed-rule',
        `rows.${r}.cells`,
        `Row ${n} has ${row.cells.length} input cells; the table has ${table.inputs.length} inputs.`,
      )
    if (row.outputs.length !== table.outputs.length)
      add(
        'malformed-rule',
        `rows.${r}.outputs`,
        `Row ${n} has ${row.outputs.length} output values; the table has ${table.outputs.length} outputs.`,
      )
    const rowCells: Cell[] = []
    row.cells.forEach((rawCell, c) => {
      const column = inputs[c]
      const cell = parseCell(rawCell, column?.type)
      if (!cell.ok) return add('malformed-rule', `rows.${r}.cells.${c}`, `Row ${n}, input ${c + 1}: ${cell.message}`)
      rowCells.push(cell.cell)
      const mismatch = column ? cellMismatch(cell.cell, column) : undefined
      if (mismatch)
        add(
          'table-type-mismatch',
          `rows.${r}.cells.${c}`,
          `Row ${n}, input ${c + 1} (${table.inputs[c]?.fact}): ${mismatch}`,
        )
    })
    cells.push(rowCells)
    row.outputs.forEach((value, c) => {
      const column = outputs[c]
      const mismatch = column ? outputMismatch(value, column, table.aggregation) : undefined
      if (mismatch)
        add(
          'table-type-mismatch',
          `rows.${r}.outputs.${c}`,
          `Row ${n}, output ${c + 1} (${outputKey(table.outputs[c] ?? {})}): ${mismatch}`,
        )
    })
  })
  // Analysis needs every cell well-formed and typed; otherwise its findings would mislead.
  if (problems.some((p) => p.severity === 'error')) return problems
  return [...problems, ...analyzeTable(table, cells, inputs)]
}

type Add = (code: ConfigProblem['code'], path: string, message: string, severity?: 'error' | 'warning') => void

function checkColumns(table: DecisionTable, add: Add): void {
  table.inputs.forEach((input, c) => {
    const path = canonicalFactPath(input.fact)
    if (!path.ok) add('malformed-rule', `inputs.${c}.fact`, path.message)
  })
  const seen = new Set<string>()
  table.outputs.forEach((output, c) => {
    if (output.fact !== undefined) {
      const path = canonicalFactPath(output.fact)
      if (!path.ok) add('malformed-rule', `outputs.${c}.fact`, path.message)
    }
    const key = outputKey(output)
    if (seen.has(key)) add('malformed-rule', `outputs.${c}`, `"${key}" names two output columns.`)
    seen.add(key)
  })
  if (table.aggregation && table.hitPolicy !== 'collect')
    add('malformed-rule', 'aggregation', 'An aggregation only applies to the collect hit policy.')
  if (table.hitPolicy === 'priority' && !table.outputs.some((o) => o.priority && o.priority.length > 0)) {
    add(
      'malformed-rule',
      'hitPolicy',
      'The priority hit policy needs a priority list (most important value first) on at least one output.',
    )
  }
  const column = outcomeColumn(table)
  if (table.outcome !== undefined && column < 0)
    return add('malformed-rule', 'outcome', `The outcome "${table.outcome}" is not one of the outputs.`)
  if (column >= 0) {
    table.rows.forEach((row, r) => {
      const value = row.outputs[column]
      if (typeof value !== 'string' || !EVENT_TYPE.test(value) || value === 'noMatch') {
        add(
          'malformed-rule',
          `rows.${r}.outputs.${column}`,
          `Row ${r + 1}: an outcome is a port name starting with a lower-case letter (not "noMatch").`,
        )
      }
    })
  }
}

function literals(cell: Cell): Literal[] {
  if (cell.kind === 'any') return []
  return cell.tests.flatMap((t) => (t.kind === 'range' ? [t.lo, t.hi] : [t.value]))
}

function cellMismatch(cell: Cell, column: ColumnInfo): string | undefined {
  for (const literal of literals(cell)) {
    if (column.type && column.type !== literal.type) return `${describe(literal)} does not fit a ${column.type} fact.`
    if (
      column.enum &&
      (literal.type === 'string' || literal.type === 'number') &&
      !column.enum.includes(literal.value)
    ) {
      return `${describe(literal)} is not one of the allowed values.`
    }
  }
  return undefined
}

function outputMismatch(
  value: unknown,
  column: ColumnInfo,
  aggregation: DecisionTable['aggregation'],
): string | undefined {
  if (value === null) return undefined
  if ((aggregation === 'sum' || aggregation === 'min' || aggregation === 'max') && typeof value !== 'number')
    return `${aggregation} needs numbers.`
  const type = column.type
  if (!type) return undefined
  const fits =
    type === 'number'
      ? typeof value === 'number'
      : type === 'boolean'
        ? typeof value === 'boolean'
        : type === 'date'
          ? typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)
          : typeof value === 'string'
  if (!fits) return `the value does not fit a ${type} fact.`
  if (column.enum && (typeof value === 'string' || typeof value === 'number') && !column.enum.includes(value))
    return 'the value is not one of the allowed values.'
  return undefined
}

function describe(literal: Literal): string {
  return literal.type === 'string' ? `the text "${literal.value}"` : `the ${literal.type} ${String(literal.value)}`
}
