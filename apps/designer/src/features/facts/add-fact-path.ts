// "Add to facts": a node or human step writes a fact the schema lacks, and the problem offers to
// declare it. Pure: the facts schema with the missing groups and the leaf added, nothing else changed.
import type { FactSchema } from '@carepath/dsl'

/**
 * The schema with `path` declared: missing groups become objects, the leaf becomes `leaf`
 * (text by default). Lists on the way are walked through their items. A path that runs through a
 * field that is not a group (a text field `a` asked to hold `a.b`) is left as it is: undefined.
 */
export function addFactPath(
  schema: FactSchema,
  path: string,
  leaf: FactSchema = { type: 'string' },
): FactSchema | undefined {
  const [head, ...rest] = path.split('.')
  if (!head) return undefined
  if (schema.type === 'array') {
    if (!schema.items) return undefined
    const items = addFactPath(schema.items, path, leaf)
    return items && { ...schema, items }
  }
  if (schema.type !== 'object') return undefined
  const properties = schema.properties ?? {}
  const existing = Object.hasOwn(properties, head) ? properties[head] : undefined
  if (rest.length === 0) return existing ? schema : { ...schema, properties: { ...properties, [head]: leaf } }
  const child = addFactPath(existing ?? { type: 'object', properties: {} }, rest.join('.'), leaf)
  return child && { ...schema, properties: { ...properties, [head]: child } }
}
