// Who may give which sign-off on a review, and where a review stands (see approval-policy.schema.ts
// for the rules in words). Pure over the review row and the flow's owners.
import type { UserRole } from '../db/schema.ts'
import { missingSignOffs, SIGN_OFF_KINDS, type RequiredSignOff, type SignOffKind } from './approval-policy.schema.ts'
import type { FlowOwner } from './flow-owners.ts'

/** The product roles that may approve at all (the review router lets only these call approve). */
export const APPROVER_ROLES: readonly UserRole[] = ['reviewer', 'compliance']

/** A review as stored, the parts sign-offs need. */
export interface ReviewSignOffState {
  signOffs: RequiredSignOff[] | null
  approvals: { by: string; at: string; comment: string; as?: SignOffKind | undefined }[]
}

/** Reviews submitted before sign-offs were required need one reviewer, as they always did. */
export const LEGACY_SIGN_OFFS: RequiredSignOff[] = [
  { kind: 'reviewer', count: 1, reasons: ['Submitted before approval by footprint: one reviewer.'] },
]

export const requiredOf = (review: ReviewSignOffState) => review.signOffs ?? LEGACY_SIGN_OFFS

/** The sign-offs a person could give on a flow, by their product role and the flow's owners. */
export function signOffsOf(person: { username: string; role: UserRole }, owners: readonly FlowOwner[]): SignOffKind[] {
  if (!APPROVER_ROLES.includes(person.role)) return []
  const named = (kind: string) => owners.some((o) => o.kind === kind && o.users.includes(person.username))
  return SIGN_OFF_KINDS.filter((kind) => {
    if (kind === 'reviewer') return person.role === 'reviewer'
    if (kind === 'compliance') return person.role === 'compliance' || named('compliance')
    return named(kind)
  })
}

/** What the review still needs. */
export const stillNeeded = (review: ReviewSignOffState) => missingSignOffs(requiredOf(review), review.approvals)

/** Each required sign-off with who gave it so far: what the review panel lists. */
export function signOffView(review: ReviewSignOffState) {
  return requiredOf(review).map((r) => {
    const given = review.approvals.filter((a) => (a.as ?? 'reviewer') === r.kind).slice(0, r.count)
    return {
      kind: r.kind,
      count: r.count,
      reasons: r.reasons,
      signedBy: given.map((a) => ({ by: a.by, at: a.at })),
      done: given.length >= r.count,
    }
  })
}

/**
 * When a person does not say which sign-off they give, the one fewest people can give goes
 * first: a named owner's, then compliance, then any reviewer's (so a security owner who is also
 * a reviewer does not use up the reviewer sign-off while the security one waits).
 */
const AUTO_ORDER: readonly SignOffKind[] = ['security', 'process', 'integration', 'support', 'compliance', 'reviewer']

/**
 * The sign-off an approval by `person` gives: the one they asked for, else the scarcest still
 * needed that they may give. A plain refusal says why when there is none.
 */
export function chooseSignOff(
  review: ReviewSignOffState,
  mayGive: readonly SignOffKind[],
  asked: SignOffKind | undefined,
): { ok: true; kind: SignOffKind } | { ok: false; reason: string } {
  const needed = stillNeeded(review).map((r) => r.kind)
  if (needed.length === 0) return { ok: false, reason: 'Every sign-off this version needs has been given.' }
  if (asked) {
    if (!mayGive.includes(asked)) return { ok: false, reason: `You may not give the ${asked} sign-off on this flow.` }
    if (!needed.includes(asked)) return { ok: false, reason: `The ${asked} sign-off is not needed (or already given).` }
    return { ok: true, kind: asked }
  }
  const kind = AUTO_ORDER.find((k) => needed.includes(k) && mayGive.includes(k))
  return kind
    ? { ok: true, kind }
    : { ok: false, reason: `Your approval is not one this version still needs: it needs ${needed.join(', ')}.` }
}
