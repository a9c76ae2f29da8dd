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

/** An explanation split into its shape and the references it saw, rules and conditions in order. */
function splitExplanation(explanation: AuditedExplanation): { shape: ExplanationShape; seen: string[] } {
  const seen: string[] = []
  const shape: ExplanationShape = {
    ...explanation,
    rules: explanation.rules.map((r) => ({
      ...r,
      conditions: r.conditions.map(({ seen: value, ...rest }) => {
        seen.push(value)
        return rest
      }),
    })),
  }
  return { shape, seen }
}

/** An explanation whole again from its shape and the references it saw (as many as it has conditions). */
function joinExplanation(shape: ExplanationShape, seen: readonly string[], node: string): AuditedExplanation {
  const conditions = shape.rules.reduce((n, r) => n + r.conditions.length, 0)
  if (conditions !== seen.length)
    throw new Error(
      `The audited decision of step "${node}" holds ${seen.length} references for ${conditions} conditions.`,
    )
  let next = 0
  return {
    ...shape,
    rules: shape.rules.map((r) => ({
      ...r,
      conditions: r.conditions.map((c) => ({ ...c, seen: seen[next++] ?? '' })),
    })),
  }
}

/** The whole audited decision back from its stored form and its shape. */
export function decisionFromStored(stored: StoredDecision, shape: ExplanationShape): AuditedDecision {
  return { node: stored.node, port: stored.port, explanation: joinExplanation(shape, stored.seen, stored.node) }
}

// ---- stored once: the shape of a step's decisions together ---------------------------------------
// A run takes the same few paths, run after run: the steps, the ports and each decision's shape
// repeat together. Records now store that sequence once as one shape (a "path") and keep only
// the references each decision saw: a third of a run record's bytes. Records written before keep
// a shape per decision (`storedDecisionSchema`), and are read as they were.

/** The decisions of a step, without the references to the values seen: what a path's records share. */
export const pathShapeSchema = z.array(
  z.object({ node: z.string(), port: z.string(), explanation: explanationShapeSchema }),
)
export type PathShape = z.infer<typeof pathShapeSchema>

/** The hex digits of a reference (`phiReference`): the stored path keeps them without the prefix. */
const REFERENCE = /^hmac:([0-9a-f]{24})$/

/** A step's decisions as its record stores them: the path's hash and the references its decisions saw. */
export const storedPathSchema = z.object({
  /** sha256 of the path's canonical JSON (an audit_explanations row). */
  shape: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * Every condition's `seen` reference, decisions, rules and conditions in path order, as one
   * string of their hex digits (24 each, `hmac:` left off): the path says whose each is.
   */
  seen: z.string().regex(/^(?:[0-9a-f]{24})*$/),
})
export type StoredPath = z.infer<typeof storedPathSchema>

/** A step's decisions split into their stored form and their path (with its canonical JSON and hash). */
export function storedPath(decisions: readonly AuditedDecision[]): {
  stored: StoredPath
  shape: { hash: string; json: string }
} {
  const split = decisions.map((d) => ({ node: d.node, port: d.port, ...splitExplanation(d.explanation) }))
  const json = canonicalJson(split.map(({ node, port, shape }) => ({ node, port, explanation: shape })))
  const hash = shapeHash(json)
  const digits = split.flatMap((d) =>
    d.seen.map((reference) => {
      const match = REFERENCE.exec(reference)
      if (!match) throw new Error(`The audited decision of step "${d.node}" saw something other than a reference.`)
      return match[1]
    }),
  )
  return { stored: { shape: hash, seen: digits.join('') }, shape: { hash, json } }
}

/** A step's audited decisions back from their stored form and their path. */
export function decisionsFromStoredPath(stored: StoredPath, path: PathShape): AuditedDecision[] {
  const references = stored.seen.match(/[0-9a-f]{24}/g)?.map((digits) => `hmac:${digits}`) ?? []
  const conditions = path.reduce((n, d) => n + d.explanation.rules.reduce((m, r) => m + r.conditions.length, 0), 0)
  if (references.length !== conditions)
    throw new Error(
      `An audited step holds ${references.length} references for the ${conditions} conditions of its path.`,
    )
  let next = 0
  return path.map((d) => {
    const count = d.explanation.rules.reduce((m, r) => m + r.conditions.length, 0)
    const seen = references.slice(next, (next += count))
    return { node: d.node, port: d.port, explanation: joinExplanation(d.explanation, seen, d.node) }
  })
}
