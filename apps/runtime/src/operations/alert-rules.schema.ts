// Owners and alert rules, as an admin sets them (stored in the settings table, validated here).
// A flow names its owners by kind; a failure routes by its kind to one of them: a connector's
// failure, a dead letter or a listener down to the integration owner, a step that failed on its
// own or a task past its due time to the process owner. Rules say when an alert opens.
import { z } from 'zod'

export const OWNER_KINDS = ['process', 'integration', 'compliance', 'security', 'support'] as const
export type OwnerKind = (typeof OWNER_KINDS)[number]

/** Where an alert goes: a user's in-app inbox, an e-mail address (SMTP), or a webhook (allow-listed host). */
export const recipientSchema = z.union([
  z.object({ user: z.string().min(2).max(50) }).strict(),
  z.object({ email: z.email() }).strict(),
  z.object({ webhook: z.url({ protocol: /^https?$/ }) }).strict(),
])
export type Recipient = z.infer<typeof recipientSchema>

const ownersSchema = z.partialRecord(z.enum(OWNER_KINDS), z.array(recipientSchema).max(20))
export type Owners = z.infer<typeof ownersSchema>

const id = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a rule id is kebab-case, like fhir-down')
/** A window of time: 1 minute to 7 days. */
const windowMinutes = z
  .number({ error: 'windowMinutes must be a number of minutes' })
  .int('windowMinutes must be a whole number of minutes')
  .min(1, 'windowMinutes must be at least 1')
  .max(7 * 24 * 60, 'windowMinutes may be at most 7 days (10080)')

/** A grace time in whole minutes, 0 to 7 days. */
const minutesLate = z
  .number({ error: 'minutes must be a number of minutes' })
  .int('minutes must be a whole number of minutes')
  .min(0, 'minutes may not be negative')
  .max(7 * 24 * 60, 'minutes may be at most 7 days (10080)')
  .default(0)

/** When an alert opens. */
export const alertRuleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      id,
      kind: z.literal('connector-failure-rate'),
      /** Every connector when absent. */
      connector: z.string().min(1).max(100).optional(),
      /** The share of failed calls (0..1) at or above which it opens. */
      threshold: z.number().gt(0).max(1),
      windowMinutes,
      /** Too few calls say nothing: at least this many in the window. */
      minCalls: z.number().int().min(1).default(5),
    })
    .strict(),
  z
    .object({
      id,
      kind: z.literal('incident-age'),
      /** An incident open at least this long. */
      minutes: z
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 60),
      flowId: z.string().max(100).optional(),
    })
    .strict(),
  z.object({ id, kind: z.literal('dead-letter') }).strict(),
  z
    .object({
      id,
      kind: z.literal('task-overdue'),
      /** Past its due time by at least this long (0: as soon as it is due). */
      minutes: minutesLate,
      flowId: z.string().max(100).optional(),
    })
    .strict(),
  /** The installation's PHI touchpoint map was never reviewed, or last reviewed a quarter ago or more. */
  z.object({ id, kind: z.literal('phi-map-review') }).strict(),
  z
    .object({
      id,
      kind: z.literal('listener-down'),
      /** Down at least this long, so a restart does not page anyone. */
      minutes: minutesLate,
    })
    .strict(),
])
export type AlertRule = z.infer<typeof alertRuleSchema>

/** The operations settings: owners per flow, the installation's default owners, and the rules. */
export const operationsSettingsSchema = z
  .object({
    owners: z.record(z.string().max(100), ownersSchema).default({}),
    defaultOwners: ownersSchema.default({}),
    rules: z
      .array(alertRuleSchema)
      .max(100)
      .default([])
      .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, 'two rules have the same id'),
  })
  .strict()
export type OperationsSettings = z.infer<typeof operationsSettingsSchema>
