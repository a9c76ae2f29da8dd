// Entries of the installation's shared settings as admins change them: work queues, owners and
// alert rules, and connector settings with their four-eyes review. Retention periods and the MFA
// policy sit with the protection and the access they configure (data-protection-entries.ts,
// access-entries.ts).
import type { AuditActor, AuditInput } from './audit-input.ts'
import type { AuditWhy } from './audit-why.ts'

/** An admin named a work queue or changed its description or PHI clearance. */
export const queueSaved = (actor: AuditActor, why: AuditWhy<'queue.save'>): AuditInput => ({
  action: 'queue.save',
  ...actor,
  why,
})

/** Owners and alert rules changed: the flows that name owners and the rule ids (no addresses). */
export const operationsSet = (actor: AuditActor, flows: string[], rules: string[]): AuditInput => ({
  action: 'settings.operations',
  ...actor,
  why: { flows: [...flows].sort(), rules: [...rules].sort() },
})

/** Integration settings changed: only which connectors are set, never their values (secrets). */
export const integrationsSet = (actor: AuditActor, keys: string[]): AuditInput => ({
  action: 'settings.integrations',
  ...actor,
  why: { keys: [...keys].sort() },
})

/** A settings change proposed for review (four eyes). */
export const settingsProposed = (actor: AuditActor, why: AuditWhy<'settings.propose'>): AuditInput => ({
  action: 'settings.propose',
  ...actor,
  why,
})

/** A proposed settings change approved or rejected by a second person. */
export const settingsDecided = (
  actor: AuditActor,
  action: 'settings.approve' | 'settings.reject',
  why: AuditWhy<'settings.approve'>,
): AuditInput => ({ action, ...actor, why })

/** Reviewed settings applied as a new revision. */
export const settingsApplied = (actor: AuditActor, why: AuditWhy<'settings.apply'>): AuditInput => ({
  action: 'settings.apply',
  ...actor,
  why,
})
