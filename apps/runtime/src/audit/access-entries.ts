// Entries of who may use the product and how they got in: people and their roles, log-ins and
// second factors (with the policy that requires them), single sign-on, API tokens, and launches
// of the embedded agent view from a host application.
import type { AuditActor, AuditInput } from './audit-input.ts'
import type { AuditWhy } from './audit-why.ts'

/** A person added, with the product role they were given. */
export const userAdded = (actor: AuditActor, user: string, role: string): AuditInput => ({
  action: 'user.add',
  ...actor,
  entity: { user },
  why: { role },
})

/** The flow roles (work queues) a person works, as an admin set them. */
export const flowRolesSet = (actor: AuditActor, user: string, flowRoles: string[]): AuditInput => ({
  action: 'user.flow-roles',
  ...actor,
  entity: { user },
  why: { flowRoles },
})

/** A person's product role and log-in switched by an admin (`active` false: no log-in, no token). */
export const userSet = (actor: AuditActor, user: string, role: string, active: boolean): AuditInput => ({
  action: 'user.set',
  ...actor,
  entity: { user },
  why: { role, active },
})

/** A log-in that succeeded: a session was opened. */
export const loggedIn = (actor: AuditActor): AuditInput => ({ action: 'auth.login', ...actor })

/** A refused log-in: `failures` counts the failed attempts in a row, when known. */
export const loginRefused = (actor: AuditActor, reason: string, failures?: number): AuditInput => ({
  action: 'auth.login',
  outcome: 'failure',
  ...actor,
  why: failures === undefined ? { reason } : { reason, failures },
})

/** The password was accepted; the log-in goes on to a second factor or its enrolment. */
export const passwordAccepted = (actor: AuditActor, next: 'verify' | 'enrol'): AuditInput => ({
  action: 'auth.password',
  ...actor,
  why: { next },
})

/** A second factor shown at log-in: accepted, or refused with why (never the code typed). */
export const mfaChecked = (
  actor: AuditActor,
  why: AuditWhy<'auth.mfa'>,
  outcome: 'success' | 'failure' = 'success',
): AuditInput => ({ action: 'auth.mfa', outcome, ...actor, entity: { user: actor.who }, why })

/** A factor enrolled (confirmed), or an enrolment refused. */
export const mfaEnrolled = (
  actor: AuditActor,
  user: string,
  why: AuditWhy<'auth.mfa-enrol'>,
  outcome: 'success' | 'failure' = 'success',
): AuditInput => ({ action: 'auth.mfa-enrol', outcome, ...actor, entity: { user }, why })

/** A second factor removed from a person's account: which kind, and which factor. */
export const mfaRemoved = (actor: AuditActor, user: string, why: AuditWhy<'auth.mfa-remove'>): AuditInput => ({
  action: 'auth.mfa-remove',
  ...actor,
  entity: { user },
  why,
})

/** A new set of recovery codes was made (the old ones stop working). */
export const recoveryCodesIssued = (actor: AuditActor, user: string, count: number): AuditInput => ({
  action: 'auth.recovery-codes',
  ...actor,
  entity: { user },
  why: { count },
})

/** A person logged in through the identity provider; their role and queues were set from its groups. */
export const ssoSynced = (actor: AuditActor, why: AuditWhy<'auth.sso'>): AuditInput => ({
  action: 'auth.sso',
  ...actor,
  entity: { user: actor.who },
  why,
})

/** The roles that must use a second factor, and those that may log in with a password alone. */
export const mfaPolicySet = (actor: AuditActor, why: AuditWhy<'settings.mfa-policy'>): AuditInput => ({
  action: 'settings.mfa-policy',
  ...actor,
  why,
})

/** A person logged out. */
export const loggedOut = (actor: AuditActor): AuditInput => ({ action: 'auth.logout', ...actor })

/** An API token made for a person: its id, name, scopes and expiry (never the token itself). */
export const tokenCreated = (actor: AuditActor, user: string, why: AuditWhy<'token.create'>): AuditInput => ({
  action: 'token.create',
  ...actor,
  entity: { user },
  why,
})

/** A person's API token revoked, named as when it was made. */
export const tokenRevoked = (actor: AuditActor, user: string, why: AuditWhy<'token.revoke'>): AuditInput => ({
  action: 'token.revoke',
  ...actor,
  entity: { user },
  why,
})

/** An admin registered or changed an application that may host the embedded agent view. */
export const hostAppSaved = (actor: AuditActor, why: AuditWhy<'host-app.save'>): AuditInput => ({
  action: 'host-app.save',
  ...actor,
  why,
})

/** A launch token issued for `agent` through a host application (its nonce; never the patient or context). */
export const launchIssued = (actor: AuditActor, agent: string, why: AuditWhy<'launch.issue'>): AuditInput => ({
  action: 'launch.issue',
  ...actor,
  entity: { user: agent },
  why,
})

/** A launch exchanged (`success`) or refused (`failure`, with the reason in plain words). */
export const launchExchanged = (
  actor: AuditActor,
  why: AuditWhy<'launch.exchange'>,
  outcome: 'success' | 'failure' = 'success',
): AuditInput => ({ action: 'launch.exchange', ...actor, outcome, why })
