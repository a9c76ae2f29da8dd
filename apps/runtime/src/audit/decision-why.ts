// A decision as the audit trail keeps it: every value the decision saw is replaced by a keyed
// reference, so the trail says why without holding the patient's data.
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto'
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

// ---- stored once: the shape of an explanation ----------------------------------------------------
// A decision's explanation repeats, run after run, the same rules, facts, operators, thresholds
// and mostly the same results: only the references to the values seen change with the patient.
// The trail stores that shape once (audit_explanations, named by its sha256) and each record keeps
// the shape's hash and its own references, in condition order. Readers get the whole explanation.

const conditionShapeSchema = auditedConditionSchema.omit({ seen: true })
/** An audited explanation without the references to the values seen (what many records share). */
export const explanationShapeSchema = auditedExplanationSchema.extend({
  rules: z.array(z.object({ id: z.string(), fired: z.boolean(), conditions: z.array(conditionShapeSchema) })),
})
export type ExplanationShape = z.infer<typeof explanationShapeSchema>

/** A decision as a run step's record stores it: the shape's hash and the references it saw. */
export const storedDecisionSchema = z.object({
  node: z.string(),
  port: z.string(),
  /** sha256 of the shape's canonical JSON (an audit_explanations row). */
  shape: z.string().regex(/^[0-9a-f]{64}$/),
  /** Each condition's `seen` reference, rules and conditions in order. */
  seen: z.array(z.string()),
})
export type StoredDecision = z.infer<typeof storedDecisionSchema>

/** sha256 (hex) of a shape's canonical JSON: its name in audit_explanations. */
export const shapeHash = (json: string) => createHash('sha256').update(json).digest('hex')

/** A decision split into its stored form and its shape (with the shape's canonical JSON and hash). */
export function storedDecision(decision: AuditedDecision): {
  stored: StoredDecision
  shape: { hash: string; json: string }
} {
  const seen: string[] = []
  const shape: ExplanationShape = {
    ...decision.explanation,
    rules: decision.explanation.rules.map((r) => ({
      ...r,
      conditions: r.conditions.map(({ seen: value, ...rest }) => {
        seen.push(value)
        return rest
      }),
    })),
  }
  const json = canonicalJson(shape)
  const hash = shapeHash(json)
  return { stored: { node: decision.node, port: decision.port, shape: hash, seen }, shape: { hash, json } }
}

/** The whole audited decision back from its stored form and its shape. */
export function decisionFromStored(stored: StoredDecision, shape: ExplanationShape): AuditedDecision {
  const conditions = shape.rules.reduce((n, r) => n + r.conditions.length, 0)
  if (conditions !== stored.seen.length)
    throw new Error(
      `The audited decision of step "${stored.node}" holds ${stored.seen.length} references for ${conditions} conditions.`,
    )
  let next = 0
  return {
    node: stored.node,
    port: stored.port,
    explanation: {
      ...shape,
      rules: shape.rules.map((r) => ({
        ...r,
        conditions: r.conditions.map((c) => ({ ...c, seen: stored.seen[next++] ?? '' })),
      })),
    },
  }
}
