import { z } from 'zod'
import { CURRENT_FORMAT, flowDocumentSchema, flowNodeSchema } from './flow.schema.ts'
import type { NodeRegistry } from './registry.ts'

/** A JSON Schema document (draft-07, which Monaco and most editors understand). */
export type JsonSchema = Record<string, unknown>

/**
 * The JSON Schema of a flow document, generated from the zod schema (the one source of truth).
 * Without a registry, node configs are free-form objects: this is the committed
 * `packages/dsl/flow.schema.json` for outside tools. With a registry, each node's `type` must be
 * an installed type and its `config` is checked against that type's config schema, which is
 * what the designer gives Monaco. Config defaults make fields optional, as in documents.
 */
export function flowJsonSchema(registry?: NodeRegistry): JsonSchema {
  let schema: z.ZodType = flowDocumentSchema
  const types = registry?.list() ?? []
  if (types.length > 0) {
    const variants = types.map((t) =>
      flowNodeSchema.extend({
        type: z.literal(t.type).describe(`${t.title}: ${t.description}`),
        typeVersion: z.number().int().min(1).max(t.typeVersion),
        config: t.config,
      }),
    )
    const node = variants.length === 1 ? (variants[0] as z.ZodType) : z.discriminatedUnion('type', variants as never)
    schema = flowDocumentSchema.extend({ nodes: z.record(z.string(), node) })
  }
  const json = nameFactSchema(
    z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as JsonSchema,
  )
  return {
    $schema: json['$schema'],
    title: 'Carepath flow document',
    description: `A Carepath flow version in format ${CURRENT_FORMAT} (*.flow.json).`,
    ...json,
  }
}

/**
 * Give the recursive facts-schema definition a readable name instead of zod's `__schemaN`.
 * (A custom metadata registry would do it too, but would drop the descriptions node types
 * attach through the global registry.)
 */
function nameFactSchema(json: JsonSchema): JsonSchema {
  const definitions = json['definitions'] as Record<string, { properties?: Record<string, unknown> }> | undefined
  const generated = Object.entries(definitions ?? {}).find(
    ([name, def]) => name.startsWith('__schema') && def.properties?.['x-phi'],
  )
  if (!generated) return json
  const from = JSON.stringify(`#/definitions/${generated[0]}`)
  const text = JSON.stringify(json).split(from).join(JSON.stringify('#/definitions/FactSchema'))
  const renamed = JSON.parse(text) as JsonSchema & { definitions: Record<string, unknown> }
  const { [generated[0]]: facts, ...rest } = renamed.definitions
  renamed.definitions = { ...rest, FactSchema: facts }
  return renamed
}

/** The committed `flow.schema.json` text: the registry-free schema, two-space indented, final newline. */
export function flowJsonSchemaText(): string {
  return `${JSON.stringify(flowJsonSchema(), null, 2)}\n`
}
