// A decision as the audit trail keeps it: every value the decision saw is replaced by a keyed
// reference, so the trail says why without holding the patient's data.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { jsonValueSchema, type DecisionExplanation } from '@carepath/dsl'
import { canonicalJson } from '@carepath/dsl'

/** One condition in the trail: the threshold written in the flow stays, patient values are references. */
const auditedConditionSchema = z.object({
  path: z.string(),
  fact: z.string(),
  operator: z.string(),
  /** A literal from the flow, or a reference when the condition compared another fact. */
  expected: jsonValueSchema,
  /** Always a reference (`hmac:…`). */
  seen: z.string(),
  result: z.boolean(),
})

/** A decision explanation with its values replaced by references. */
export const auditedExplanationSchema = z.object({
  outcome: z.string(),
  fired: z.array(z.string()),
  rules: z.array(z.object({ id: z.string(), fired: z.boolean(), conditions: z.array(auditedConditionSchema) })),
})
/** A decision explanation with its values replaced by references (see `auditedExplanationSchema`). */
export type AuditedExplanation = z.infer<typeof auditedExplanationSchema>

/** One decision of a run step in the trail. */
export const auditedDecisionSchema = z.object({
  node: z.string(),
  port: z.string(),
  explanation: auditedExplanationSchema,
})
/** One decision of a run step in the trail (see `auditedDecisionSchema`). */
export type AuditedDecision = z.infer<typeof auditedDecisionSchema>

/**
 * A stand-in for a patient value in the audit trail: a keyed hash (HMAC with the installation's
 * secret), so equal values can be matched by someone holding the data but never read back.
 */
export function phiReference(secret: string, value: unknown): string {
  return 'hmac:' + createHmac('sha256', keyFor(secret)).update(canonicalJson(value)).digest('hex').slice(0, 24)
}

// The installation's key, imported once (importing it on every reference costs more than the HMAC).
let cachedKey: { secret: string; key: KeyObject } | undefined
function keyFor(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) }
  return cachedKey.key
}

/** A decision explanation for the audit trail: every seen value replaced by its reference. */
export function explanationForAudit(explanation: DecisionExplanation, secret: string): AuditedExplanation {
  return {
    outcome: explanation.outcome,
    fired: explanation.fired,
    rules: explanation.rules.map((r) => ({
      id: r.id,
      fired: r.fired,
      conditions: r.conditions.map((c) => ({
        path: c.path,
        fact: c.fact,
        operator: c.operator,
        // A threshold written in the flow stays; a value compared from another fact is a reference too.
        expected: c.expectedFact === undefined ? c.expected : phiReference(secret, c.expected),
        seen: phiReference(secret, c.seen),
        result: c.result,
      })),
    })),
  }
}

/** One decision a run made, as its step's audit record lists it. */
export function decisionForAudit(
  decision: { nodeId: string; port: string; explanation: DecisionExplanation },
  secret: string,
): AuditedDecision {
  return { node: decision.nodeId, port: decision.port, explanation: explanationForAudit(decision.explanation, secret) }
}
