// The facts schema as an analyst edits it: a tree of named fields instead of nested JSON Schema.
// Pure: the form renders a tree, every edit returns a new tree, and `treeToSchema` gives back the
// same JSON Schema the tree was read from (what the form does not show, such as enums or a title,
// travels along untouched), so the JSON view stays one click away and round-trips.
import type { FactSchema } from '@carepath/dsl'

/** One field of the facts schema, with its children when it is an object (or a list of objects). */
export interface FactField {
  /** A key for the form only (stable while the analyst types a new name); never stored. */
  key: string
  name: string
  required: boolean
  /** The field's own schema, without its children: they are `children`. */
  schema: Omit<FactSchema, 'properties' | 'required' | 'items'>
  /** For a list, the schema of one item, without its children. */
  items?: Omit<FactSchema, 'properties' | 'required' | 'items'> | undefined
  children: FactField[]
}

/** The whole facts schema: the root's own keys (type object, maybe a description) and its fields. */
export interface FactsTree {
  root: Omit<FactSchema, 'properties' | 'required' | 'items'>
  fields: FactField[]
}

/** The field types an analyst chooses from, in plain words. */
export const FIELD_TYPES: readonly { type: FactSchema['type']; label: string }[] = [
  { type: 'string', label: 'Text' },
  { type: 'number', label: 'Number' },
  { type: 'integer', label: 'Whole number' },
  { type: 'boolean', label: 'Yes / no' },
  { type: 'object', label: 'Group of fields' },
  { type: 'array', label: 'List' },
]

let counter = 0
const nextKey = () => `field-${++counter}`

function own(schema: FactSchema): Omit<FactSchema, 'properties' | 'required' | 'items'> {
  const { properties: _p, required: _r, items: _i, ...rest } = schema
  return rest
}

/** Fields of an object schema, or of a list's item schema when it holds objects. */
function childrenOf(schema: FactSchema): FactField[] {
  const holder = schema.type === 'array' ? schema.items : schema
  if (!holder) return []
  const required = new Set(holder.required ?? [])
  return Object.entries(holder.properties ?? {}).map(([name, child]) => fieldFrom(name, child, required.has(name)))
}

function fieldFrom(name: string, schema: FactSchema, required: boolean): FactField {
  const field: FactField = { key: nextKey(), name, required, schema: own(schema), children: childrenOf(schema) }
  if (schema.type === 'array' && schema.items) field.items = own(schema.items)
  return field
}

/** The tree for a facts schema. */
export function schemaToTree(schema: FactSchema): FactsTree {
  return { root: own(schema), fields: childrenOf(schema) }
}

/** `properties` and `required` for a list of fields (both left out when there is nothing to say). */
function membersOf(fields: readonly FactField[], keepEmpty: boolean): Pick<FactSchema, 'properties' | 'required'> {
  const out: Pick<FactSchema, 'properties' | 'required'> = {}
  if (fields.length > 0 || keepEmpty) {
    out.properties = Object.fromEntries(fields.map((f) => [f.name, fieldToSchema(f)]))
  }
  const required = fields.filter((f) => f.required).map((f) => f.name)
  if (required.length > 0) out.required = required
  return out
}

function fieldToSchema(field: FactField): FactSchema {
  if (field.schema.type === 'object') return { ...field.schema, ...membersOf(field.children, true) }
  if (field.schema.type === 'array') {
    const item: FactSchema = field.items ?? { type: 'string' }
    const items = item.type === 'object' ? { ...item, ...membersOf(field.children, true) } : item
    return { ...field.schema, items }
  }
  return field.schema
}

/** The JSON Schema the tree stands for. */
export function treeToSchema(tree: FactsTree): FactSchema {
  return { ...tree.root, ...membersOf(tree.fields, true) }
}

/** One thing to fix before the tree can become a schema: which field (by its dotted name) and what. */
export interface FieldProblem {
  key: string
  message: string
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Empty, malformed or repeated names; a schema with any of these is not written. */
export function fieldProblems(fields: readonly FactField[], parent = ''): FieldProblem[] {
  const problems: FieldProblem[] = []
  const seen = new Set<string>()
  for (const field of fields) {
    const where = parent ? `in “${parent}”` : 'at the top level'
    if (!field.name) problems.push({ key: field.key, message: `A field ${where} has no name.` })
    else if (!NAME.test(field.name))
      problems.push({
        key: field.key,
        message: `“${field.name}” is not a usable field name: use letters, digits and _ and start with a letter.`,
      })
    else if (seen.has(field.name))
      problems.push({ key: field.key, message: `Two fields ${where} are named “${field.name}”.` })
    seen.add(field.name)
    problems.push(...fieldProblems(field.children, parent ? `${parent}.${field.name}` : field.name))
  }
  return problems
}

/** A new, empty text field (its name left for the analyst to type). */
export function newField(name = ''): FactField {
  return { key: nextKey(), name, required: false, schema: { type: 'string' }, children: [] }
}

/** Apply `change` to the field with `key`, wherever it sits; other fields are shared, not copied. */
function mapFields(fields: readonly FactField[], key: string, change: (f: FactField) => FactField | null): FactField[] {
  const out: FactField[] = []
  for (const field of fields) {
    if (field.key === key) {
      const changed = change(field)
      if (changed) out.push(changed)
      continue
    }
    const children = field.children.length > 0 ? mapFields(field.children, key, change) : field.children
    out.push(children === field.children ? field : { ...field, children })
  }
  return out
}

/** The tree with one field's name, required flag or schema changed. */
export function updateField(
  tree: FactsTree,
  key: string,
  patch: Partial<Pick<FactField, 'name' | 'required'>> & {
    schema?: Partial<FactField['schema']>
    /** For a list: the type of its items (a list of groups keeps its children). */
    itemType?: FactSchema['type']
  },
): FactsTree {
  return {
    ...tree,
    fields: mapFields(tree.fields, key, (field) => {
      const schema = { ...field.schema, ...patch.schema }
      // Only text has a format; a field that stops being a list or a group drops what belonged to that.
      if (schema.type !== 'string') delete schema.format
      for (const name of ['format', 'description', 'x-phi'] as const)
        if (patch.schema && name in patch.schema && patch.schema[name] === undefined) delete schema[name]
      const items = schema.type === 'array' ? itemsAfter(field.items, patch.itemType) : undefined
      const isParent = schema.type === 'object' || items?.type === 'object'
      const changed: FactField = {
        ...field,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.required !== undefined ? { required: patch.required } : {}),
        schema,
        children: isParent ? field.children : [],
      }
      if (items) changed.items = items
      else delete changed.items
      return changed
    }),
  }
}

/** A list's item schema after a change of item type (a new list holds groups of fields). */
function itemsAfter(items: FactField['items'], type: FactSchema['type'] | undefined): NonNullable<FactField['items']> {
  if (!items) return { type: type ?? 'object' }
  if (!type || type === items.type) return items
  const { format: _format, ...rest } = items
  return { ...rest, type }
}

/** The tree with a new field at the top level (`parentKey` undefined) or inside a group. */
export function addField(tree: FactsTree, parentKey?: string, field: FactField = newField()): FactsTree {
  if (parentKey === undefined) return { ...tree, fields: [...tree.fields, field] }
  return {
    ...tree,
    fields: mapFields(tree.fields, parentKey, (parent) => ({ ...parent, children: [...parent.children, field] })),
  }
}

/** The tree without one field (and its children). */
export function removeField(tree: FactsTree, key: string): FactsTree {
  return { ...tree, fields: mapFields(tree.fields, key, () => null) }
}
