// What the flow's "change notices" control says and may do, apart from React: the roles that may
// follow a flow (the server's own list), and the state in words, so it never rests on colour.
import type { SessionUser } from '../../api/carepath-api.ts'

type UserRole = SessionUser['role']

/** The roles that see flows and may follow one's change notices (as the notices router allows). */
export const FOLLOWING_ROLES: readonly UserRole[] = [
  'analyst',
  'developer',
  'reviewer',
  'auditor',
  'agent',
  'operator',
  'compliance',
]

/** Whether a person of `role` is offered the control at all. */
export const mayFollow = (role: UserRole | undefined): boolean => role !== undefined && FOLLOWING_ROLES.includes(role)

/** What the control shows beside its checkbox: the current state, or what is happening to it. */
export function subscriptionWords(state: {
  subscribed: boolean | undefined
  saving: boolean
  error: string | null
}): string {
  if (state.error) return `Not changed: ${state.error}`
  if (state.subscribed === undefined) return 'checking…'
  if (state.saving) return state.subscribed ? 'subscribing…' : 'unsubscribing…'
  return state.subscribed ? 'subscribed' : 'not subscribed'
}
