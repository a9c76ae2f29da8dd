import type { ConfigProblem } from '@carepath/dsl'
import { parseDate } from '../dates.ts'
import type { ColumnInfo } from './columns.ts'
import type { DecisionTable } from './table.schema.ts'
import type { Cell, Literal, Test } from './unary.ts'
import {
  intersect,
  isEmpty,
  normalize,
  sampleOf,
  subtract,
  union,
  universe,
  type Domain,
  type ValueSet,
} from './value-sets.ts'

/** Past this many pieces, box subtraction stops and reports nothing rather than guess. */
const MAX_BOXES = 2000
type Box = ValueSet[]

/** Overlap (unique), unreachable rows (first) and gaps (enumerable or numeric inputs only). */
export function analyzeTable(table: DecisionTable, cells: Cell[][], columns: ColumnInfo[]): ConfigProblem[] {
  const domains = columns.map((column, c) =>
    domainOf(
      column,
      cells.map((row) => row[c]),
    ),
  )
  const boxes = cells.map((row) => domains.map((domain, c) => cellSet(row[c], domain)))
  const problems: ConfigProblem[] = []
  if (table.hitPolicy === 'unique') {
    for (let j = 0; j < boxes.length; j++) {
      for (let i = 0; i < j; i++) {
        if (overlaps(boxes[i] as Box, boxes[j] as Box, domains)) {
          problems.push({
            code: 'table-overlap',
            severity: 'error',
            path: `rows.${j}`,
            message: `Rows ${i + 1} and ${j + 1} can both match the same input, but the table is unique.`,
          })
        }
      }
    }
  }
  if (table.hitPolicy === 'first') {
    for (let j = 1; j < boxes.length; j++) {
      const left = subtractAll([boxes[j] as Box], boxes.slice(0, j), domains)
      if (left && left.length === 0) {
        problems.push({
          code: 'table-unreachable-row',
          severity: 'warning',
          path: `rows.${j}`,
          message: `Row ${j + 1} can never be reached: the rows above it match everything it matches.`,
        })
      }
    }
  }
  // Gaps are about present values: a missing input taking noMatch is the documented rule.
  const enumerable = domains.every((d) => d.kind === 'num' || d.finite)
  if (enumerable) {
    const left = subtractAll([domains.map((d) => universe(d))], boxes, domains)
    if (left && left.length > 0) {
      const example = (left[0] as Box)
        .map(
          (set, c) => `${table.inputs[c]?.fact} = ${sampleText(set, domains[c] as Domain, columns[c] as ColumnInfo)}`,
        )
        .join(', ')
      problems.push({
        code: 'table-gap',
        severity: 'warning',
        path: 'rows',
        message: `Some inputs match no row, for example ${example}; they take the noMatch port.`,
      })
    }
  }
  return problems
}

function domainOf(column: ColumnInfo, cells: (Cell | undefined)[]): Domain {
  const type = column.type ?? inferType(cells)
  if (type === 'number') return { kind: 'num', integer: column.integer }
  if (type === 'date') return { kind: 'num', integer: true }
  if (type === 'boolean') return { kind: 'disc', finite: ['false', 'true'] }
  if (column.enum) return { kind: 'disc', finite: column.enum.map((v) => JSON.stringify(v)).sort() }
  return { kind: 'disc' }
}

function inferType(cells: (Cell | undefined)[]): string {
  const types = new Set<string>()
  for (const cell of cells)
    if (cell?.kind === 'tests') for (const t of cell.tests) types.add(t.kind === 'range' ? t.lo.type : t.value.type)
  return types.size === 1 ? ([...types][0] as string) : 'string'
}

function point(literal: Literal): number {
  return literal.type === 'number' ? literal.value : literal.type === 'date' ? (parseDate(literal.value)?.day ?? 0) : 0
}

function testSet(test: Test, domain: Domain): ValueSet {
  if (domain.kind === 'disc') {
    const v = test.kind === 'cmp' ? test.value.value : null
    return { kind: 'disc', include: true, values: [JSON.stringify(v)] }
  }
  if (test.kind === 'range')
    return { kind: 'num', ivs: [{ lo: point(test.lo), hi: point(test.hi), loIn: test.loIn, hiIn: test.hiIn }] }
  const v = point(test.value)
  const ivs = {
    '=': { lo: v, hi: v, loIn: true, hiIn: true },
    '<': { lo: -Infinity, hi: v, loIn: false, hiIn: false },
    '<=': { lo: -Infinity, hi: v, loIn: false, hiIn: true },
    '>': { lo: v, hi: Infinity, loIn: false, hiIn: false },
    '>=': { lo: v, hi: Infinity, loIn: true, hiIn: false },
  }[test.op]
  return { kind: 'num', ivs: [ivs] }
}

function cellSet(cell: Cell | undefined, domain: Domain): ValueSet {
  if (!cell || cell.kind === 'any') return universe(domain, true)
  const positive = union(
    cell.tests.map((t) => normalize(testSet(t, domain), domain)),
    domain,
  )
  return cell.negated ? subtract(universe(domain), positive, domain) : positive
}

function overlaps(a: Box, b: Box, domains: Domain[]): boolean {
  return domains.every((d, c) => !isEmpty(intersect(a[c] as ValueSet, b[c] as ValueSet, d), d))
}

/** from − each of `minus`, as disjoint boxes; undefined when it grows past MAX_BOXES. */
function subtractAll(from: Box[], minus: Box[], domains: Domain[]): Box[] | undefined {
  let left = from
  for (const m of minus) {
    const next: Box[] = []
    for (const box of left) {
      if (!overlaps(box, m, domains)) {
        next.push(box)
        continue
      }
      let rest = [...box]
      domains.forEach((d, c) => {
        const outside = subtract(rest[c] as ValueSet, m[c] as ValueSet, d)
        if (!isEmpty(outside, d)) next.push(rest.map((s, k) => (k === c ? outside : s)))
        rest = rest.map((s, k) => (k === c ? intersect(s, m[c] as ValueSet, d) : s))
      })
    }
    if (next.length > MAX_BOXES) return undefined
    left = next
  }
  return left
}

function sampleText(set: ValueSet, domain: Domain, column: ColumnInfo): string {
  const sample = sampleOf(set, domain)
  if (column.type === 'date' && /^-?\d+$/.test(sample))
    return new Date(Number(sample) * 86_400_000).toISOString().slice(0, 10)
  return sample
}
