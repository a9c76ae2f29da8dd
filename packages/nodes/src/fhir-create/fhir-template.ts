// Resource templates shared by the FHIR write nodes (create, update, patch, transaction): a value
// written as {"$fact": "path"} is replaced by that fact, the whole value, never spliced into text.
import type { ExecuteContext, JsonValue } from '@carepath/dsl'

function factRef(value: JsonValue): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const keys = Object.keys(value)
  return keys.length === 1 && keys[0] === '$fact' && typeof value['$fact'] === 'string' ? value['$fact'] : undefined
}

/** Every `{"$fact": path}` in a template, in document order. */
export function templateFacts(value: JsonValue): string[] {
  const ref = factRef(value)
  if (ref !== undefined) return [ref]
  if (Array.isArray(value)) return value.flatMap(templateFacts)
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(templateFacts)
  return []
}

/** The template with its facts filled in; an absent fact leaves its element out. */
export function fillTemplate(ctx: ExecuteContext, value: JsonValue): JsonValue | undefined {
  const ref = factRef(value)
  if (ref !== undefined) return ctx.get(ref)
  if (Array.isArray(value))
    return value.map((item) => fillTemplate(ctx, item)).filter((item): item is JsonValue => item !== undefined)
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {}
    for (const [key, item] of Object.entries(value)) {
      const filled = fillTemplate(ctx, item)
      // An absent fact leaves the element out rather than writing null, which FHIR refuses.
      if (filled !== undefined && filled !== null) out[key] = filled
    }
    return out
  }
  return value
}

/** A filled resource template as an object, or undefined when it is not one. */
export function fillResource(
  ctx: ExecuteContext,
  template: { [key: string]: JsonValue },
): { [key: string]: JsonValue } | undefined {
  const filled = fillTemplate(ctx, template)
  return filled !== null && typeof filled === 'object' && !Array.isArray(filled) ? filled : undefined
}
