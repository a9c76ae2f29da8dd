// The slice of JSON Schema the generic form reads, plus helpers to walk zod's output of it.
export interface JsonSchema {
  type?: string | string[]
  title?: string
  description?: string
  enum?: unknown[]
  const?: unknown
  default?: unknown
  format?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
  $ref?: string
  $defs?: Record<string, JsonSchema>
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
}

/** Follow a local `$ref` (`#/$defs/x` or `#`) against the root schema. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema
  for (let hops = 0; current.$ref && hops < 20; hops++) {
    const ref = current.$ref
    if (ref === '#') current = root
    else if (ref.startsWith('#/$defs/')) current = root.$defs?.[decodeURIComponent(ref.slice(8))] ?? {}
    else if (ref.startsWith('#/definitions/'))
      current = (root as { definitions?: Record<string, JsonSchema> }).definitions?.[ref.slice(14)] ?? {}
    else return {}
  }
  if (current.allOf?.length === 1 && !current.type)
    return resolve({ ...current.allOf[0], ...current, allOf: undefined }, root)
  return current
}

export function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null')
  return schema.type
}

/** The options of an anyOf that is "this or nothing" collapse to the one real option. */
export function nonNullOption(schema: JsonSchema, root: JsonSchema): JsonSchema | undefined {
  const options = (schema.anyOf ?? schema.oneOf)?.map((o) => resolve(o, root))
  if (!options) return undefined
  const real = options.filter((o) => typeOf(o) !== 'null')
  return real.length === 1 ? real[0] : undefined
}

/** Enum values of an anyOf/oneOf made only of consts and enums, if it is one. */
export function literalOptions(schema: JsonSchema, root: JsonSchema): unknown[] | undefined {
  if (schema.enum) return schema.enum
  const options = (schema.anyOf ?? schema.oneOf)?.map((o) => resolve(o, root))
  if (!options || !options.every((o) => o.const !== undefined || o.enum)) return undefined
  return options.flatMap((o) => (o.const !== undefined ? [o.const] : (o.enum ?? [])))
}

/**
 * For a union of object shapes told apart by one constant property (`mode: "duration"` vs
 * `mode: "until"`): that property and the options. Undefined for any other union.
 */
export function discriminatedUnion(
  schema: JsonSchema,
  root: JsonSchema,
): { key: string; options: { value: unknown; schema: JsonSchema }[] } | undefined {
  const options = (schema.oneOf ?? schema.anyOf)?.map((o) => resolve(o, root))
  if (!options || options.length < 2 || !options.every((o) => o.properties)) return undefined
  const first = options[0]!
  for (const key of Object.keys(first.properties ?? {})) {
    const values = options.map((o) => (o.properties?.[key] ? resolve(o.properties[key]!, root).const : undefined))
    if (values.every((v) => v !== undefined) && new Set(values.map((v) => JSON.stringify(v))).size === values.length) {
      return { key, options: options.map((o, i) => ({ value: values[i], schema: o })) }
    }
  }
  return undefined
}

/** A starting value for a new item of this schema. */
export function defaultFor(schema: JsonSchema, root: JsonSchema): unknown {
  const s = resolve(schema, root)
  if (s.default !== undefined) return structuredClone(s.default)
  if (s.const !== undefined) return s.const
  const literals = literalOptions(s, root)
  if (literals?.length) return literals[0]
  const inner = nonNullOption(s, root)
  if (inner) return defaultFor(inner, root)
  if (s.anyOf?.[0] ?? s.oneOf?.[0]) return defaultFor((s.anyOf ?? s.oneOf)![0]!, root)
  switch (typeOf(s)) {
    case 'string':
      return ''
    case 'number':
    case 'integer':
      return s.minimum ?? 0
    case 'boolean':
      return false
    case 'array':
      return []
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const key of s.required ?? []) if (s.properties?.[key]) out[key] = defaultFor(s.properties[key]!, root)
      return out
    }
    default:
      return null
  }
}
