import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'

const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
)
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
 * Ports: with `outcome` (the fact path of one output column), one port per distinct value of
 * that column plus `noMatch`; otherwise `matched` and `noMatch`.
 */
export const decisionTableSchema = z
  .object({
    inputs: z
      .array(z.object({ fact: z.string().min(1), label: z.string().optional() }).strict())
      .min(1)
      .describe('Input columns: fact paths read.'),
    outputs: z
      .array(
        z
          .object({
            fact: z.string().min(1),
            label: z.string().optional(),
            priority: z.array(scalarSchema).optional().describe('Output values, most important first (priority hit policy).'),
          })
          .strict(),
      )
      .min(1)
      .describe('Output columns: fact paths written.'),
    rows: z.array(
      z
        .object({
          id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/).optional(),
          in: z.array(scalarSchema),
          out: z.array(jsonValueSchema),
          description: z.string().optional(),
        })
        .strict(),
    ),
    hitPolicy: z.enum(['first', 'unique', 'priority', 'collect']),
    aggregation: z.enum(['count', 'sum', 'min', 'max']).optional(),
    outcome: z.string().optional().describe('An output column whose value names the port taken.'),
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

/** Distinct string values of the outcome column, in row order (the ports besides noMatch). */
export function outcomeValues(table: DecisionTable): string[] {
  if (!table.outcome) return []
  const column = table.outputs.findIndex((o) => o.fact === table.outcome)
  if (column < 0) return []
  const values: string[] = []
  for (const row of table.rows) {
    const v = row.out[column]
    if (typeof v === 'string' && !values.includes(v)) values.push(v)
  }
  return values
}
