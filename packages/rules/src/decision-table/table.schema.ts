import { z } from 'zod'
import { jsonValueSchema } from '@carepath/dsl'
import { RULE_ID } from '../rule.schema.ts'
const scalarSchema = z.union([z.string(), z.number(), z.boolean()])

/**
 * A decision table: input columns (fact paths), output columns (fact paths it writes), rows of
 * input cells (unary tests, see unary.ts) and output cells (JSON literals), and a hit policy.
 *
 * - first: the first matching row (top to bottom) decides.
 * - unique: at most one row may match; a second match is an error at run time and `check`
 *   reports overlapping rows up front.
 * - priority: among matching rows, the one whose output values come first in the outputs'
 *   `priority` lists (compared column by column) decides; ties go to the upper row.
 * - collect: every matching row; each output becomes the list of values (row order), or with
 *   `aggregation` its count / sum / min / max (min/max of nothing is null, sum of nothing 0).
 *
 * Output columns have a `name`, a `fact` (a fact path the table writes), or both. The outcome
 * column is `outcome` (a column's name or fact) or else the first column without a `fact`.
 * Ports: with an outcome column, one port per distinct value of that column; otherwise
 * `matched`. Plus `noMatch` (nothing matched), required unless a row of only `-` cells makes a
 * match certain.
 */
export const decisionTableSchema = z
  .object({
    inputs: z
      .array(
        z
          .object({
            fact: z.string().min(1).describe('The fact path this column reads.'),
            label: z.string().optional().describe('The column heading shown in the grid.'),
          })
          .strict(),
      )
      .min(1)
      .describe('Input columns: fact paths read.'),
    outputs: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/^[A-Za-z][A-Za-z0-9_-]*$/)
              .optional()
              .describe('The column name (an outcome column needs no fact).'),
            fact: z.string().min(1).optional().describe('The fact path this column writes.'),
            label: z.string().optional().describe('The column heading shown in the grid.'),
            priority: z
              .array(scalarSchema)
              .optional()
              .describe('Output values, most important first (priority hit policy).'),
          })
          .strict()
          .refine((o) => o.name !== undefined || o.fact !== undefined, 'An output column needs a name or a fact.'),
      )
      .min(1)
      .describe('Output columns: fact paths written.'),
    rows: z
      .array(
        z
          .object({
            id: z
              .string()
              .regex(RULE_ID)
              .optional()
              .describe('A stable row id, so diffs and explanations name the row.'),
            cells: z.array(scalarSchema).describe('One unary test per input column.'),
            outputs: z.array(jsonValueSchema).describe('One value per output column.'),
            description: z.string().optional().describe('Why this row exists, in words.'),
          })
          .strict(),
      )
      .describe('Rules of the table, one per row: input tests and the outputs they give.'),
    hitPolicy: z
      .enum(['first', 'unique', 'priority', 'collect'])
      .describe('Which matching rows count: the first, the only one, the highest-priority output, or all of them.'),
    aggregation: z
      .enum(['count', 'sum', 'min', 'max'])
      .optional()
      .describe('With collect: how the matched outputs combine.'),
    outcome: z.string().optional().describe('The output column (name or fact) whose value names the port taken.'),
  })
  .strict()
export type DecisionTable = z.infer<typeof decisionTableSchema>
export type TableRow = DecisionTable['rows'][number]

/** The rule id of a row: its own `id`, else `row-<n>` (1-based, zero-padded to sort in order). */
export function rowId(table: DecisionTable, index: number): string {
  const own = table.rows[index]?.id
  if (own) return own
  const width = String(table.rows.length).length
  return `row-${String(index + 1).padStart(width, '0')}`
}

/** The index of the outcome column, or -1 when the table's ports are matched / noMatch. */
export function outcomeColumn(table: DecisionTable): number {
  if (table.outcome !== undefined)
    return table.outputs.findIndex((o) => o.name === table.outcome || o.fact === table.outcome)
  return table.outputs.findIndex((o) => o.fact === undefined)
}

/** The key an output column's value is reported under: its fact path, else its name. */
export function outputKey(output: DecisionTable['outputs'][number]): string {
  return output.fact ?? output.name ?? ''
}

/** Distinct string values of the outcome column, in row order (the ports besides noMatch). */
export function outcomeValues(table: DecisionTable): string[] {
  const column = outcomeColumn(table)
  if (column < 0) return []
  const values: string[] = []
  for (const row of table.rows) {
    const v = row.outputs[column]
    if (typeof v === 'string' && !values.includes(v)) values.push(v)
  }
  return values
}

/** True when some row has only `-` cells, so a match is certain for every input. */
export function hasCatchAllRow(table: DecisionTable): boolean {
  return table.rows.some((row) =>
    row.cells.every((c) => typeof c === 'string' && (c.trim() === '' || c.trim() === '-')),
  )
}
