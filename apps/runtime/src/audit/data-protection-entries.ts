// Entries of how patient data is protected and accounted for: break-glass reveals and their
// review, retention periods and the purges they cause, key rotation, the PHI map's review, and
// auditors' searches of the trail.
import type { AuditActor, AuditInput } from './audit-input.ts'
import type { AuditWhy } from './audit-why.ts'

/** Break-glass: a reveal granted (time-boxed, for one run). */
export const revealGranted = (
  actor: AuditActor,
  entity: { flow: string; hash: string; run: string },
  why: AuditWhy<'phi.reveal'>,
): AuditInput => ({ action: 'phi.reveal', ...actor, entity, why })

/** Compliance signed a reveal off. */
export const revealReviewed = (actor: AuditActor, run: string, why: AuditWhy<'phi.reveal-review'>): AuditInput => ({
  action: 'phi.reveal-review',
  ...actor,
  entity: { run },
  why,
})

/** A flow's day of runs passed its retention period: their data key was shredded. */
export const retentionPurged = (actor: AuditActor, why: AuditWhy<'retention.purge'>): AuditInput => ({
  action: 'retention.purge',
  ...actor,
  entity: { flow: why.flow },
  why,
})

/** A flow's retention period set, in days (null: the flow's own period removed). */
export const retentionSet = (actor: AuditActor, why: AuditWhy<'settings.retention'>): AuditInput => ({
  action: 'settings.retention',
  ...actor,
  entity: { flow: why.flow },
  why,
})

/** A day of inbound HL7 messages passed the installation's period: deleted, their data key shredded. */
export const inboundRetentionPurged = (actor: AuditActor, why: AuditWhy<'retention.inbound-purge'>): AuditInput => ({
  action: 'retention.inbound-purge',
  ...actor,
  why,
})

/** The days inbound HL7 messages are kept, set (null: kept until someone sets a period). */
export const inboundRetentionSet = (actor: AuditActor, why: AuditWhy<'settings.inbound-retention'>): AuditInput => ({
  action: 'settings.inbound-retention',
  ...actor,
  why,
})

/** The key-encryption key was rotated: every data key and TOTP secret re-wrapped under the new one. */
export const keysRotated = (actor: AuditActor, why: AuditWhy<'keys.rotate'>): AuditInput => ({
  action: 'keys.rotate',
  ...actor,
  why,
})

/** The installation's PHI touchpoint map was reviewed (the flows it covered, by id). */
export const phiMapReviewed = (actor: AuditActor, flows: string[]): AuditInput => ({
  action: 'phi-map.review',
  ...actor,
  why: { flows: [...flows].sort() },
})

/** An auditor's search of the trail; the patient only as its keyed hash. */
export const auditSearched = (actor: AuditActor, why: AuditWhy<'audit.search'>): AuditInput => ({
  action: 'audit.search',
  ...actor,
  why,
})
