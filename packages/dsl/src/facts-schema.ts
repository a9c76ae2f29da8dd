import { z } from 'zod'
import { phiClassSchema, type PhiClass } from './phi.ts'

/**
 * A flow's facts schema: a small, JSON-Schema-shaped description of the data a run works on.
 * Leaves carry `x-phi` with their PHI class. It stays JSON Schema so Monaco and outside tools
 * can read it as is.
 */
export interface FactSchema {
  type: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean'
  title?: string | undefined
  description?: string | undefined
  format?: 'date' | 'date-time' | undefined
  enum?: (string | number)[] | undefined
  properties?: Record<string, FactSchema> | undefined
  required?: string[] | undefined
  items?: FactSchema | undefined
  'x-phi'?: PhiClass | undefined
}

/** Zod schema of a facts schema (recursive); documents are checked with it on load. */
export const factSchemaSchema: z.ZodType<FactSchema> = z.lazy(() =>
  z
    .object({
      type: z.enum(['object', 'array', 'string', 'number', 'integer', 'boolean']),
      title: z.string().optional(),
      description: z.string().optional(),
      format: z.enum(['date', 'date-time']).optional(),
      enum: z.array(z.union([z.string(), z.number()])).optional(),
      properties: z.record(z.string(), factSchemaSchema).optional(),
      required: z.array(z.string()).optional(),
      items: factSchemaSchema.optional(),
      'x-phi': phiClassSchema.optional(),
    })
    .strict(),
)

/** The schema node at a dotted fact path (`patient.birthDate`, `labs.results.value`), or undefined. */
export function factAt(schema: FactSchema, path: string): FactSchema | undefined {
  let node: FactSchema | undefined = schema
  for (const segment of path.split('.')) {
    if (!node) return undefined
    // A numeric segment indexes an array (`items.0.code`), as rule paths may (`$.items.0.code`).
    if (node.type === 'array' && node.items && INDEX.test(segment)) {
      node = node.items
      continue
    }
    // Arrays are walked through transparently: `results.value` means "value of each result".
    while (node.type === 'array' && node.items) node = node.items
    node = ownProperty(node, segment)
  }
  return node
}

const INDEX = /^\d+$/

/** A declared property only: `constructor` or `__proto__` must not resolve to Object.prototype members. */
function ownProperty(node: FactSchema, key: string): FactSchema | undefined {
  return node.properties && Object.hasOwn(node.properties, key) ? node.properties[key] : undefined
}

/**
 * The PHI class that governs a path: the nearest `x-phi` on the way down.
 * Undefined means unclassified, which readers must treat as "nobody may see it".
 */
export function phiClassAt(schema: FactSchema, path: string): PhiClass | undefined {
  let node: FactSchema | undefined = schema
  let found: PhiClass | undefined = schema['x-phi']
  for (const segment of path.split('.')) {
    if (!node) return found
    if (node.type === 'array' && node.items && INDEX.test(segment)) {
      node = node.items
      found = node['x-phi'] ?? found
      continue
    }
    while (node.type === 'array' && node.items) {
      node = node.items
      found = node['x-phi'] ?? found
    }
    node = ownProperty(node, segment)
    if (node?.['x-phi']) found = node['x-phi']
  }
  return node ? found : undefined
}

/** Every dotted path the schema declares, parents before children, in key order. */
export function listFactPaths(schema: FactSchema, prefix = ''): string[] {
  const paths: string[] = []
  let node: FactSchema = schema
  while (node.type === 'array' && node.items) node = node.items
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key
    paths.push(path, ...listFactPaths(child, path))
  }
  return paths
}
