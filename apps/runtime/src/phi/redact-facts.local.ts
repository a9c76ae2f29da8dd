// Local stand-in for `redactFacts` / `redactExplanation` from @carepath/dsl, written against the
// same signatures so the call site in redaction-gate.ts switches by changing one import.
import { phiClassAt, type DecisionExplanation, type FactSchema, type JsonValue, type PhiClass } from '@carepath/dsl'

export const REDACTED = '[redacted]'

/**
 * Keep only the values whose PHI class is allowed. Classes inherit downwards; a value the schema
 * does not describe, or describes without any class, is removed (fail closed).
 */
export function redactFacts(value: JsonValue, factsSchema: FactSchema, allowedClasses: readonly PhiClass[]): JsonValue {
  return walk(value, factsSchema, factsSchema['x-phi'], new Set(allowedClasses))
}

function walk(value: JsonValue, schema: FactSchema | undefined, inherited: PhiClass | undefined, allowed: Set<PhiClass>): JsonValue {
  const cls = schema?.['x-phi'] ?? inherited
  if (!schema) return REDACTED
  if (Array.isArray(value)) {
    if (schema.type !== 'array') return REDACTED
    return value.map((item) => walk(item, schema.items, cls, allowed))
  }
  if (value !== null && typeof value === 'object') {
    if (schema.type !== 'object') return REDACTED
    const out: Record<string, JsonValue> = {}
    for (const [key, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[key]
      if (!childSchema) continue // undeclared: drop
      out[key] = walk(child, childSchema, cls, allowed)
    }
    return out
  }
  return cls !== undefined && allowed.has(cls) ? value : REDACTED
}

/** An explanation with every seen value the role may not see replaced. */
export function redactExplanation(
  explanation: DecisionExplanation,
  factsSchema: FactSchema,
  allowedClasses: readonly PhiClass[],
): DecisionExplanation {
  const allowed = new Set(allowedClasses)
  const visible = (fact: string) => {
    const cls = phiClassAt(factsSchema, fact)
    return cls !== undefined && allowed.has(cls)
  }
  return {
    ...explanation,
    rules: explanation.rules.map((rule) => ({
      ...rule,
      conditions: rule.conditions.map((c) => ({ ...c, seen: visible(c.fact) ? c.seen : REDACTED })),
    })),
    ...(explanation.outputs ? { outputs: Object.fromEntries(Object.keys(explanation.outputs).map((k) => [k, REDACTED])) } : {}),
  }
}
