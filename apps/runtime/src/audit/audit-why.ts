// What each audited action records as its "why". One zod member per action, so a record's `why`
// is typed by its `action`; the functions in audit-entries.ts are the only way to build one.
import { z } from 'zod'
import { phiClassSchema } from '@carepath/dsl'
import { auditedDecisionSchema } from './decision-why.ts'

const tokenWhy = z.object({
  tokenId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.string().optional(),
})
const reviewDecisionWhy = z.union([
  /** `signOff`: which required sign-off an approval gives (compliance, security, reviewer, ...). */
  z.object({ comment: z.string(), signOff: z.string().optional() }),
  /** Refused before anything changed (four eyes). */
  z.object({ reason: z.string() }),
])
const publishWhy = z.union([
  z.object({ reason: z.string(), previous: z.string().nullable() }),
  /** Refused: what stands in the way, in plain words (flow structure only, never patient data). */
  z.object({ blockers: z.array(z.string()) }),
])
/** A policy change: who proposed it and the policy in one line per footprint kind. */
const approvalPolicyWhy = z.object({ proposedBy: z.string(), summary: z.array(z.string()) })
const runStepWhy = z.object({
  /** How many events the batch wrote. */
  events: z.number().int(),
  /** Every decision of the batch, with patient values replaced by references. */
  decisions: z.array(auditedDecisionSchema),
  status: z.string(),
  outcome: z.string().optional(),
  /** The run's failure, as free text redacted of the run's patient values. */
  error: z.string().optional(),
})
const simulationSummary = z.object({
  cases: z.number().int(),
  unchanged: z.number().int(),
  changed: z.number().int(),
  failed: z.number().int(),
  unexpected: z.number().int(),
})

const mfaMethod = z.enum(['totp', 'recovery', 'webauthn', 'idp'])
/** A second-factor event: which method, and for a refusal why (plain words, never the code typed). */
const mfaWhy = z.object({ method: mfaMethod, reason: z.string().optional(), failures: z.number().int().optional() })
const factorWhy = z.object({ method: mfaMethod, factor: z.string(), reason: z.string().optional() })
/** An operator's resolution of an incident: what they chose and, for a skip or cancel, why. */
const incidentWhy = z.object({
  incident: z.string(),
  action: z.enum(['retry', 'skip', 'cancel']),
  port: z.string().optional(),
  /** The operator's own words (free text: it could quote a patient, so it is redacted on the way out). */
  reason: z.string().optional(),
})
/** A dead letter reprocessed: which message (by control id, never content) and what came of it. */
const deadLetterWhy = z.object({
  deadLetter: z.string(),
  controlId: z.string(),
  outcome: z.enum(['started', 'already-started', 'refused']),
  runIds: z.array(z.string()),
  reason: z.string().optional(),
})

/** Which settings a proposal changes: paths and kinds of change only, values are left out. */
const settingsProposalWhy = z.object({
  proposal: z.string(),
  changes: z.array(z.object({ path: z.string(), change: z.string(), credential: z.boolean() })),
  applyToRunning: z.boolean(),
  reason: z.string(),
})
const settingsDecisionWhy = z.object({ proposal: z.string(), note: z.string() })

/** An attachment as the trail names it: its id, what it is attached to, its hash, size and detected type. */
const attachmentWhy = z.object({
  attachment: z.string(),
  kind: z.enum(['review', 'task']),
  sha256: z.string(),
  size: z.number().int(),
  mediaType: z.string(),
})

const entry = <A extends string, W extends z.ZodType>(action: A, why: W) => z.object({ action: z.literal(action), why })
const bare = <A extends string>(action: A) => z.object({ action: z.literal(action), why: z.undefined().optional() })

/** Every audited action with the shape of its `why`. */
export const auditEntrySchema = z.discriminatedUnion('action', [
  entry('user.add', z.object({ role: z.string() })),
  entry('user.flow-roles', z.object({ flowRoles: z.array(z.string()) })),
  /** A person's product role and whether they may log in, as an admin set them. */
  entry('user.set', z.object({ role: z.string(), active: z.boolean() })),
  entry('auth.login', z.object({ reason: z.string(), failures: z.number().int().optional() }).optional()),
  bare('auth.logout'),
  /** The password was right; a second factor (`verify`) or its enrolment (`enrol`) is still due. */
  entry('auth.password', z.object({ next: z.enum(['verify', 'enrol']) })),
  entry('auth.mfa', mfaWhy),
  entry('auth.mfa-enrol', factorWhy),
  entry('auth.mfa-remove', factorWhy),
  entry('auth.recovery-codes', z.object({ count: z.number().int() })),
  /** A log-in through the identity provider: who it said the person is, and what that made them here. */
  entry(
    'auth.sso',
    z.object({
      issuer: z.string(),
      groups: z.array(z.string()),
      role: z.string(),
      created: z.boolean(),
      idpMfa: z.boolean(),
    }),
  ),
  /** Break-glass: PHI classes revealed to one person for one run, for some minutes, and why (redacted of the run's values). */
  entry(
    'phi.reveal',
    z.object({ reveal: z.string(), classes: z.array(phiClassSchema), minutes: z.number().int(), reason: z.string() }),
  ),
  entry('phi.reveal-review', z.object({ reveal: z.string(), note: z.string() })),
  /** Retention: the data key of a flow's day of runs was shredded; the runs' rows and the trail stay. */
  entry('retention.purge', z.object({ flow: z.string(), day: z.string(), runs: z.number().int() })),
  entry('settings.retention', z.object({ flow: z.string(), days: z.number().int().nullable() })),
  /** Retention: a day of inbound HL7 messages, all answered, was deleted and its data key shredded. */
  entry('retention.inbound-purge', z.object({ day: z.string(), messages: z.number().int() })),
  entry('settings.inbound-retention', z.object({ days: z.number().int().nullable() })),
  /** The key-encryption key was rotated: every data key and TOTP secret re-wrapped under the new one. */
  entry('keys.rotate', z.object({ kek: z.string(), dataKeys: z.number().int(), secrets: z.number().int() })),
  entry('settings.mfa-policy', z.object({ required: z.array(z.string()), passwordOnly: z.array(z.string()) })),
  entry('token.create', tokenWhy),
  entry('token.revoke', tokenWhy),
  bare('flow.create'),
  entry('flow.save', z.object({ revision: z.number().int(), voidedReview: z.boolean() })),
  bare('flow.retire'),
  /** `footprint`: the kinds the change touches; `signOffs`: the sign-offs the approval policy asked for. */
  entry(
    'review.submit',
    z.object({
      review: z.string(),
      summary: simulationSummary.nullable(),
      footprint: z.array(z.string()).optional(),
      signOffs: z.array(z.string()).optional(),
    }),
  ),
  /** The approval policy: proposed by one admin, approved (in effect) or discarded by another. */
  entry('approval-policy.propose', approvalPolicyWhy),
  entry('approval-policy.approve', approvalPolicyWhy),
  entry('approval-policy.discard', approvalPolicyWhy),
  entry('review.approve', reviewDecisionWhy),
  entry('review.reject', reviewDecisionWhy),
  entry('review.publish', publishWhy),
  entry('review.rollback', publishWhy),
  /** A reviewer let failing test cases through, with their written reason (case ids, never case data). */
  entry('review.override', z.object({ reason: z.string(), cases: z.array(z.string()) })),
  /**
   * An admin named a work queue or changed its description or PHI clearance (`phi`: class names,
   * not patient data; null for no clearance; missing from records made before clearances).
   */
  entry(
    'queue.save',
    z.object({ queue: z.string(), description: z.string(), phi: z.array(phiClassSchema).nullable().optional() }),
  ),
  entry('settings.integrations', z.object({ keys: z.array(z.string()) })),
  /** Someone recorded the quarterly review of the PHI touchpoint map: the flows it covered. */
  entry('phi-map.review', z.object({ flows: z.array(z.string()) })),
  /** A settings change proposed for review: which settings and how, never a value (credentials least of all). */
  entry('settings.propose', settingsProposalWhy),
  /** A second person approved a proposed settings change (it applies in the same step). */
  entry('settings.approve', settingsDecisionWhy),
  entry('settings.reject', settingsDecisionWhy),
  /** Reviewed settings became the current revision; `pinsMoved` running versions moved to it. */
  entry('settings.apply', z.object({ proposal: z.string(), revision: z.number().int(), pinsMoved: z.number().int() })),
  /** Owners and alert rules changed: which flows name owners and which rules there are, no addresses. */
  entry('settings.operations', z.object({ flows: z.array(z.string()), rules: z.array(z.string()) })),
  entry('run.read', z.object({ classes: z.array(phiClassSchema) })),
  entry('run.start', runStepWhy),
  entry('run.step', runStepWhy),
  entry('task.read', z.object({ tasks: z.array(z.string()) })),
  bare('task.claim'),
  bare('task.answer'),
  entry('incident.resolve', incidentWhy),
  entry('dead-letter.reprocess', deadLetterWhy),
  bare('task.release'),
  /** Given to another person who works the same queue. */
  entry('task.reassign', z.object({ to: z.string() })),
  /** Moved to another queue (flow role) that may see what the step shows. */
  entry('task.escalate', z.object({ from: z.string(), to: z.string(), reason: z.string() })),
  /** A plan to move waiting runs to the published version, proposed or approved (four eyes). */
  entry(
    'migration.plan',
    z.object({ migration: z.string(), fromHash: z.string(), runs: z.number().int(), changed: z.number().int() }),
  ),
  entry(
    'migration.approve',
    z.object({ migration: z.string(), fromHash: z.string(), runs: z.number().int(), changed: z.number().int() }),
  ),
  /** One run moved by an approved plan. */
  entry(
    'run.migrate',
    z.object({ migration: z.string(), fromHash: z.string(), fromNode: z.string(), toNode: z.string() }),
  ),
  /** A message woke a run waiting for it (name and the sender's message id; never the key or payload). */
  entry('event.deliver', z.object({ name: z.string(), messageId: z.string() })),
  /** Scheduled times that did not start a run (missed while down, or overlapping a run still going). */
  entry(
    'schedule.tick',
    z.object({
      status: z.enum(['skipped', 'queued']),
      reason: z.enum(['missed', 'overlap', 'failed']),
      /** The first and last scheduled times concerned, and how many there were. */
      from: z.string(),
      to: z.string(),
      count: z.number().int(),
    }),
  ),
  /** An admin registered or changed an application that may host the embedded agent view. */
  entry(
    'host-app.save',
    z.object({ hostApp: z.string(), name: z.string(), audience: z.string(), origins: z.array(z.string()) }),
  ),
  /** A launch token issued for a host application (its nonce; never the patient or context). */
  entry('launch.issue', z.object({ hostApp: z.string(), nonce: z.string(), expiresAt: z.string() })),
  /** A launch token exchanged for a session, or refused and why (plain words; no token, no patient). */
  entry('launch.exchange', z.object({ host: z.string(), nonce: z.string().optional(), reason: z.string().optional() })),
  /** Evidence attached or downloaded: named by id and sha256, never its name or content (either may hold PHI). */
  entry('attachment.add', attachmentWhy),
  entry('attachment.read', attachmentWhy),
  /** A change notice: what happened to the flow and who it went to (people, mail addresses, webhook hosts). */
  entry(
    'notice.send',
    z.object({
      notice: z.string(),
      kind: z.enum(['published', 'rolled-back', 'retired']),
      recipients: z.array(z.string()),
      failed: z.array(z.string()),
    }),
  ),
  bare('flow.subscribe'),
  bare('flow.unsubscribe'),
  /**
   * An auditor searched the trail (or exported the search): which filters were set, the patient
   * as its keyed hash (never the identifier typed), how many records were found.
   */
  entry(
    'audit.search',
    z.object({
      filters: z.array(z.string()),
      patient: z.string().optional(),
      results: z.number().int(),
      exported: z.boolean(),
    }),
  ),
])
/** An action with its typed `why`. */
export type AuditEntry = z.infer<typeof auditEntrySchema>
/** Every audited action name. */
export type AuditAction = AuditEntry['action']
/** The `why` of one action. */
export type AuditWhy<A extends AuditAction> = Extract<AuditEntry, { action: A }>['why']
