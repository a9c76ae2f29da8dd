import type { DecisionExplanation } from './explanation.ts'
import { factAt, phiClassAt, type FactSchema } from './facts-schema.ts'
import type { JsonValue } from './json.ts'
import type { PhiClass } from './phi.ts'

/** What a field a role may not see is replaced by. */
export const REDACTED = '[redacted]'

function visible(phi: PhiClass | undefined, allowed: readonly PhiClass[]): boolean {
  return phi === 'none' || (phi !== undefined && allowed.includes(phi))
}

function walk(
  value: JsonValue,
  node: FactSchema | undefined,
  inherited: PhiClass | undefined,
  allowed: readonly PhiClass[],
): JsonValue {
  if (!node) return REDACTED // not in the schema: nobody may see it
  const phi = node['x-phi'] ?? inherited
  if (Array.isArray(value)) {
    if (node.type !== 'array') return REDACTED
    return value.map((item) => walk(item, node.items, phi, allowed))
  }
  if (value !== null && typeof value === 'object') {
    if (node.type !== 'object') return REDACTED
    const out: Record<string, JsonValue> = {}
    for (const [key, child] of Object.entries(value)) {
      // Own properties only: a property named like Object.prototype members must not match them.
      const childSchema = node.properties && Object.hasOwn(node.properties, key) ? node.properties[key] : undefined
      out[key] = walk(child, childSchema, phi, allowed)
    }
    return out
  }
  // A scalar where the schema expects an object or array does not fit: fail closed, except an
  // absent (null) value the role may see.
  if ((node.type === 'object' || node.type === 'array') && value !== null) return REDACTED
  return visible(phi, allowed) ? value : REDACTED
}

/**
 * THE PHI redaction gate: a copy of `value` (the facts at `basePath`, '' for all facts) in
 * which every field the role may not see reads "[redacted]". A field stays only when its PHI
 * class (the nearest `x-phi` on its path) is `none` or in `allowed`. Fails closed: fields
 * missing from the schema, unclassified fields and values whose shape does not fit the schema
 * are redacted. Pure; the runtime's API responses, task views and the designer all call it.
 * @example redactFacts(run.facts, doc.facts, doc.roles['front-desk'].phi)
 */
export function redactFacts(
  value: JsonValue,
  factsSchema: FactSchema,
  allowed: readonly PhiClass[],
  basePath = '',
): JsonValue {
  const node = basePath === '' ? factsSchema : factAt(factsSchema, basePath)
  const inherited = basePath === '' ? factsSchema['x-phi'] : phiClassAt(factsSchema, basePath)
  return walk(value, node, inherited, allowed)
}

/**
 * A decision's "why" as a role may see it: each condition's `seen` value is redacted by the
 * class of its fact, and `expected` too when it is another fact's value (`expectedFact`).
 * Outputs are redacted by the fact path they are named after (fail closed when they name
 * none). Rule ids, operators and literal thresholds come from the flow, not the patient, and stay.
 */
export function redactExplanation(
  explanation: DecisionExplanation,
  factsSchema: FactSchema,
  allowed: readonly PhiClass[],
): DecisionExplanation {
  const redacted: DecisionExplanation = {
    outcome: explanation.outcome,
    fired: [...explanation.fired],
    rules: explanation.rules.map((rule) => ({
      ...rule,
      conditions: rule.conditions.map((condition) => ({
        ...condition,
        seen: redactFacts(condition.seen, factsSchema, allowed, condition.fact),
        expected:
          condition.expectedFact === undefined
            ? structuredClone(condition.expected)
            : redactFacts(condition.expected, factsSchema, allowed, condition.expectedFact),
      })),
    })),
  }
  if (explanation.outputs) {
    redacted.outputs = Object.fromEntries(
      Object.entries(explanation.outputs).map(([name, value]) => [
        name,
        redactFacts(value, factsSchema, allowed, name),
      ]),
    )
  }
  return redacted
}
