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

/** A run input that does not fit its flow's facts schema: where (declared names only) and what is wrong. */
export interface FactsProblem {
  /** Dotted path from `input`, built only from names the schema declares (an unknown key is never echoed). */
  path: string
  message: string
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/

function isDate(text: string): boolean {
  const m = DATE.exec(text)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const expected: Record<FactSchema['type'], string> = {
  object: 'an object',
  array: 'a list',
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
}

/**
 * Check a run's input against the flow's facts schema before anything is stored: the types, the
 * required facts, enums and date formats, and no field the schema does not declare (where it
 * declares properties). `null` stands for an absent optional fact. An input that holds none of
 * the declared facts is refused too. Answers the first problem, or undefined when the input fits.
 */
export function checkFacts(schema: FactSchema, input: unknown): FactsProblem | undefined {
  if (isRecord(input) && schema.type === 'object' && schema.properties && Object.keys(schema.properties).length > 0) {
    const declared = Object.keys(input).filter((k) => Object.hasOwn(schema.properties!, k) && input[k] !== null)
    if (declared.length === 0) return { path: 'input', message: "The input holds none of this flow's facts." }
  }
  return checkNode(schema, input, 'input')
}

function checkNode(schema: FactSchema, value: unknown, path: string): FactsProblem | undefined {
  const wrong = (what = expected[schema.type]): FactsProblem => ({ path, message: `${path}: expected ${what}.` })
  switch (schema.type) {
    case 'object': {
      if (!isRecord(value)) return wrong()
      const properties = schema.properties
      for (const name of schema.required ?? [])
        if (!Object.hasOwn(value, name) || value[name] === null || value[name] === undefined)
          return { path: `${path}.${name}`, message: `${path}.${name}: this fact is required.` }
      if (!properties) return undefined
      for (const [key, child] of Object.entries(value)) {
        if (!Object.hasOwn(properties, key))
          return { path, message: `${path}: holds a field this flow's facts schema does not declare.` }
        if (child === null || child === undefined) continue
        const problem = checkNode(properties[key]!, child, `${path}.${key}`)
        if (problem) return problem
      }
      return undefined
    }
    case 'array': {
      if (!Array.isArray(value)) return wrong()
      if (!schema.items) return undefined
      for (let i = 0; i < value.length; i++) {
        if (value[i] === null) continue
        const problem = checkNode(schema.items, value[i], `${path}.${i}`)
        if (problem) return problem
      }
      return undefined
    }
    case 'string':
      if (typeof value !== 'string') return wrong()
      if (schema.format === 'date' && !isDate(value)) return wrong('a date (YYYY-MM-DD)')
      if (schema.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))))
        return wrong('a date and time (ISO 8601 with a zone)')
      break
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return wrong()
      break
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return wrong()
      break
    case 'boolean':
      if (typeof value !== 'boolean') return wrong()
      break
  }
  if (schema.enum && !schema.enum.some((allowed) => allowed === value))
    return { path, message: `${path}: not one of the values this fact allows.` }
  return undefined
}
