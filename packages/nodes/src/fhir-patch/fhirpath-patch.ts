// FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html): operations as a flow writes them, and
// the Parameters resource they travel in. Values map to value[x] by their JSON type (string →
// valueString, integer → valueInteger, other numbers → valueDecimal, boolean → valueBoolean) and
// objects to nested parts, one per element, as the specification allows for complex values; the
// reverse mapping reads any value[x]. Pure: no server, no definitions.
import { z } from 'zod'
import type { JsonValue } from '@carepath/dsl'
import { jsonValueSchema } from '../fact-path.schema.ts'

const fhirPathSchema = z
  .string()
  .min(1)
  .max(500)
  .describe('A FHIRPath to the element, starting at the resource type, e.g. Appointment.comment.')
const valueSchema = jsonValueSchema.describe('The value; {"$fact": "path"} takes it from a fact.')

/** One FHIRPath Patch operation, as a flow's config writes it. */
export const fhirPathOperationSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('add').describe('Add a child element to the element the path finds.'),
      path: fhirPathSchema,
      name: z
        .string()
        .regex(/^[a-z][A-Za-z0-9]*$/, 'an element name, like comment')
        .describe('The name of the element to add, e.g. comment or note.'),
      value: valueSchema,
    })
    .strict(),
  z
    .object({
      type: z.literal('insert').describe('Insert into the list the path finds, at a position (from 0).'),
      path: fhirPathSchema,
      index: z.number().int().min(0).describe('The position to insert at; 0 is the first.'),
      value: valueSchema,
    })
    .strict(),
  z
    .object({ type: z.literal('delete').describe('Delete the element, if there is one.'), path: fhirPathSchema })
    .strict(),
  z
    .object({
      type: z.literal('replace').describe('Replace the one element the path finds.'),
      path: fhirPathSchema,
      value: valueSchema,
    })
    .strict(),
  z
    .object({
      type: z.literal('move').describe('Move an element of the list the path finds to another position.'),
      path: fhirPathSchema,
      source: z.number().int().min(0).describe('The position of the element to move; 0 is the first.'),
      destination: z.number().int().min(0).describe('The position it moves to; 0 is the first.'),
    })
    .strict(),
])
export type FhirPathOperation = z.infer<typeof fhirPathOperationSchema>

type Part = { [key: string]: JsonValue }

function valuePart(name: string, value: JsonValue): Part {
  if (typeof value === 'string') return { name, valueString: value }
  if (typeof value === 'boolean') return { name, valueBoolean: value }
  if (typeof value === 'number')
    return Number.isInteger(value) ? { name, valueInteger: value } : { name, valueDecimal: value }
  if (value === null) return { name }
  if (Array.isArray(value)) return { name, part: value.map((item) => valuePart('item', item)) }
  return {
    name,
    part: Object.entries(value).flatMap(([key, child]) =>
      Array.isArray(child) ? child.map((item) => valuePart(key, item)) : [valuePart(key, child)],
    ),
  }
}

/** The Parameters resource carrying `operations` (values already filled from facts). */
export function toFhirPathPatch(operations: readonly FhirPathOperation[]): { [key: string]: JsonValue } {
  return {
    resourceType: 'Parameters',
    parameter: operations.map((operation) => {
      const part: Part[] = [
        { name: 'type', valueCode: operation.type },
        { name: 'path', valueString: operation.path },
      ]
      if (operation.type === 'add') part.push({ name: 'name', valueString: operation.name })
      if (operation.type === 'insert') part.push({ name: 'index', valueInteger: operation.index })
      if (operation.type === 'move')
        part.push(
          { name: 'source', valueInteger: operation.source },
          { name: 'destination', valueInteger: operation.destination },
        )
      if ('value' in operation) part.push(valuePart('value', operation.value))
      return { name: 'operation', part }
    }),
  }
}

const partSchema: z.ZodType<{ name: string; part?: PartShape[] | undefined; [key: string]: unknown }> = z.lazy(() =>
  z.looseObject({ name: z.string(), part: z.array(partSchema).optional() }),
)
type PartShape = z.infer<typeof partSchema>
const parametersSchema = z.looseObject({
  resourceType: z.literal('Parameters'),
  parameter: z.array(z.looseObject({ name: z.literal('operation'), part: z.array(partSchema) })).min(1),
})

/** The JSON value a part holds: its value[x], or its parts as an object (lists by repeated names). */
function partValue(part: PartShape): JsonValue {
  const key = Object.keys(part).find((k) => k.startsWith('value'))
  if (key !== undefined) return jsonValueSchema.parse(part[key])
  if (!part.part) return null
  if (part.part.every((child) => child.name === 'item')) return part.part.map(partValue)
  const out: { [key: string]: JsonValue } = {}
  for (const child of part.part) {
    const value = partValue(child)
    const previous = out[child.name]
    out[child.name] =
      previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value]
  }
  return out
}

/** The operations a FHIRPath Patch Parameters resource holds, or the reason it is not one. */
export function fromFhirPathPatch(parameters: unknown): { operations: FhirPathOperation[] } | { problem: string } {
  const parsed = parametersSchema.safeParse(parameters)
  if (!parsed.success) return { problem: 'The patch is not a FHIRPath Patch Parameters resource.' }
  const operations: FhirPathOperation[] = []
  for (const [index, parameter] of parsed.data.parameter.entries()) {
    const fields: Record<string, JsonValue> = {}
    for (const part of parameter.part) fields[part.name] = partValue(part)
    const operation = fhirPathOperationSchema.safeParse(fields)
    if (!operation.success) return { problem: `Patch operation ${index + 1} is incomplete or of an unknown type.` }
    operations.push(operation.data)
  }
  return { operations }
}
