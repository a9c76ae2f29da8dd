import { factAt, type FactSchema } from '@carepath/dsl'
import type { ColumnType } from './unary.ts'

/** What the facts schema says about an input or output column. */
export interface ColumnInfo {
  /** Undefined when the fact is not in the schema: literals then speak for themselves. */
  type: ColumnType | undefined
  integer: boolean
  /** Allowed values (schema `enum`), when listed. */
  enum?: (string | number)[] | undefined
}

/** Column information for a fact path from the flow's facts schema. */
export function columnInfo(schema: FactSchema | undefined, path: string): ColumnInfo {
  const node = schema ? factAt(schema, path) : undefined
  if (!node) return { type: undefined, integer: false }
  const base = { integer: node.type === 'integer', enum: node.enum }
  if (node.type === 'number' || node.type === 'integer') return { type: 'number', ...base }
  if (node.type === 'boolean') return { type: 'boolean', ...base }
  if (node.type === 'string') return { type: node.format ? 'date' : 'string', ...base }
  return { type: undefined, ...base }
}
