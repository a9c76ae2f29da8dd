// Plain words for owner kinds and sign-offs, shared by the editor's owners strip and the review.

/** An owner kind as people say it. */
export const OWNER_TITLES: Record<string, string> = {
  process: 'Business (process)',
  integration: 'Technical / integration',
  compliance: 'Compliance',
  security: 'Security',
  support: 'Support',
}

/** A sign-off as the review panel names it. */
export const SIGN_OFF_TITLES: Record<string, string> = {
  reviewer: 'A reviewer',
  compliance: 'Compliance',
  security: 'Security owner',
  process: 'Process owner',
  integration: 'Integration owner',
  support: 'Support owner',
}

/** One owner entry in words: the people, other addresses counted, and whether it is the installation's default. */
export function ownerWords(owner: { users: string[]; otherRecipients: number; fallback: boolean }): string {
  const parts = [...owner.users]
  if (owner.otherRecipients > 0)
    parts.push(`${owner.otherRecipients} other address${owner.otherRecipients === 1 ? '' : 'es'}`)
  if (parts.length === 0) return 'nobody named'
  return `${parts.join(', ')}${owner.fallback ? ' (installation default)' : ''}`
}
