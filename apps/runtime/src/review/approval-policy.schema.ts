// The installation's approval policy: which sign-offs a change needs, from what it touches (its
// footprint). Pure: no database here, so the policy and its tests stay small.
//
// Who may give a sign-off (kept simple on purpose):
// - `reviewer`: a person whose product role is reviewer;
// - `compliance`: a person whose product role is compliance, or who is named the flow's
//   compliance owner;
// - `security`, `process`, `integration`, `support`: a person named as the flow's owner of that
//   kind (Operations → Owners; the installation's default owners when the flow names none).
// Approving is open to the reviewer and compliance roles only; nobody signs off a change they
// wrote or submitted, and one person gives one sign-off per review (so "compliance and security"
// takes two people).
import { z } from 'zod'
import { FOOTPRINT_KINDS, type FootprintItem, type FootprintKind } from '@carepath/dsl'

export const SIGN_OFF_KINDS = ['reviewer', 'compliance', 'security', 'process', 'integration', 'support'] as const
/** A kind of sign-off a change may need. */
export type SignOffKind = (typeof SIGN_OFF_KINDS)[number]
export const signOffKindSchema = z.enum(SIGN_OFF_KINDS)

/** Plain words for each sign-off, as the review panel says them. */
export const SIGN_OFF_TITLES: Record<SignOffKind, string> = {
  reviewer: 'a reviewer',
  compliance: 'compliance',
  security: 'the security owner',
  process: 'the process owner',
  integration: 'the integration owner',
  support: 'the support owner',
}

/**
 * For each footprint kind, the sign-offs it needs: one person per entry (list `reviewer` twice
 * for two reviewers). A kind left out, or an empty list, needs one reviewer: four eyes always hold.
 * `firstVersion`: a flow's first version touches everything it does for the first time, so by
 * default it is reviewed whole by one reviewer (its footprint is still listed for them);
 * `by-footprint` asks the first version for every sign-off its footprint calls for.
 */
export const approvalPolicySchema = z
  .object({
    requirements: z.partialRecord(
      z.enum(FOOTPRINT_KINDS),
      z.array(signOffKindSchema).max(6, 'at most six sign-offs for one kind of change'),
    ),
    firstVersion: z.enum(['one-reviewer', 'by-footprint']).default('one-reviewer'),
  })
  .strict()
export type ApprovalPolicy = z.infer<typeof approvalPolicySchema>

/** Shipped default: PHI and outside systems need compliance and security; everything else one reviewer. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  requirements: {
    'phi-sent-outside': ['compliance', 'security'],
    'phi-read': ['compliance'],
    'phi-written': ['compliance'],
    'outside-connector': ['security'],
    'patient-facing': ['compliance'],
    threshold: ['reviewer'],
    behaviour: ['reviewer'],
    text: ['reviewer'],
  },
  firstVersion: 'one-reviewer',
}

/** One sign-off a submitted change needs: how many people, and the footprint reasons that ask for it. */
export const requiredSignOffSchema = z
  .object({ kind: signOffKindSchema, count: z.number().int().min(1), reasons: z.array(z.string()) })
  .strict()
export type RequiredSignOff = z.infer<typeof requiredSignOffSchema>

const needsOf = (policy: ApprovalPolicy, kind: FootprintKind): SignOffKind[] => {
  const listed = policy.requirements[kind] ?? []
  return listed.length > 0 ? listed : ['reviewer']
}

/**
 * The sign-offs a footprint needs under `policy`, in the order of SIGN_OFF_KINDS. Each kind
 * needs as many people as the most demanding item asks for; an empty footprint (nothing a reader
 * sees changed) still needs one reviewer.
 */
export function requiredSignOffs(
  policy: ApprovalPolicy,
  footprint: readonly FootprintItem[],
  firstVersion = false,
): RequiredSignOff[] {
  if (firstVersion && policy.firstVersion === 'one-reviewer')
    return [{ kind: 'reviewer', count: 1, reasons: ['A first version is reviewed whole by one reviewer.'] }]
  const items = footprint.length > 0 ? footprint : [{ kind: 'text' as const, reason: 'Resubmitted unchanged.' }]
  const needed = new Map<SignOffKind, { count: number; reasons: string[] }>()
  for (const item of items) {
    const needs = needsOf(policy, item.kind)
    for (const kind of new Set(needs)) {
      const count = needs.filter((k) => k === kind).length
      const entry = needed.get(kind) ?? { count: 0, reasons: [] }
      entry.count = Math.max(entry.count, count)
      if (!entry.reasons.includes(item.reason)) entry.reasons.push(item.reason)
      needed.set(kind, entry)
    }
  }
  return SIGN_OFF_KINDS.flatMap((kind) => {
    const entry = needed.get(kind)
    return entry ? [{ kind, ...entry }] : []
  })
}

/** Sign-offs still missing, given the approvals so far (each approval fills the sign-off it names). */
export function missingSignOffs(
  required: readonly RequiredSignOff[],
  approvals: readonly { as?: SignOffKind | undefined }[],
): RequiredSignOff[] {
  return required.flatMap((r) => {
    const given = approvals.filter((a) => (a.as ?? 'reviewer') === r.kind).length
    return given >= r.count ? [] : [{ ...r, count: r.count - given }]
  })
}
