// The shapes a parsed HL7 v2 field takes in the facts, and reading the first value out of one.

/** A component with subcomponents is a list of strings. */
export type Hl7Component = string | string[]
/** A field: plain text when it is one value; otherwise repetitions of components. */
export type Hl7FieldValue = string | Hl7Component[][]
export type Hl7SegmentFacts = { [field: string]: Hl7FieldValue }

/** The first component of a field's first repetition, as text. */
export function firstComponent(value: Hl7FieldValue | undefined, component = 1): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return component === 1 ? value : ''
  const part = value[0]?.[component - 1]
  return typeof part === 'string' ? part : (part?.[0] ?? '')
}
