// Who a request acts as once authenticated, and how the audit trail names them. Nearly every
// service takes a Principal, so it lives apart from the log-in machinery that makes one; the row
// shape both per-request lookups (sessions, API tokens) read is here with its mapping, so the two
// cannot drift apart.
import type { UserRole } from '../db/schema.ts'

/** Who is calling: a person with a session, or an outside system with a scoped API token. */
export interface Principal {
  userId: string
  username: string
  role: UserRole
  flowRoles: string[]
  /** Present for API tokens: what the token may do. Sessions carry every right of the role. */
  scopes?: string[] | undefined
  /**
   * The installation acting on its own (the demo seed), never a person: the trail names it with
   * role `system`, and its `username` holds a space so no log-in can ever take it.
   */
  system?: true | undefined
}

/** Who acted, as the audit trail names them: the installation itself with role `system`. */
export function auditActor(principal: Principal): { who: string; role: string } {
  return { who: principal.username, role: principal.system ? 'system' : principal.role }
}

/** The user's columns as the hand-written per-request lookups (store.sql) name them. */
export type AuthRow = { user_id: string; username: string; role: UserRole; flow_roles: string; disabled: unknown }

/** The principal a looked-up row names; `scopes` only for an API token. */
export const principalOf = (row: AuthRow, scopes?: string[]): Principal => ({
  userId: row.user_id,
  username: row.username,
  role: row.role,
  flowRoles: JSON.parse(row.flow_roles) as string[],
  ...(scopes ? { scopes } : {}),
})
