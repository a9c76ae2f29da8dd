// What the settings review takes and shows. Zod first: the router validates with these and the
// designer reads the same types through the tRPC client.
import { jsonValueSchema } from '@carepath/dsl'
import { z } from 'zod'
import { settingsChangeSchema } from './settings-diff.ts'

/** A proposed change: the whole settings object as it should become, and why. */
export const settingsProposalSchema = z.object({
  settings: z.record(z.string(), jsonValueSchema),
  /** Why the change is needed, for the second person (required: a reviewer needs a reason). */
  reason: z.string().trim().min(1, 'Say why the settings change.').max(2000),
  /** Published versions move to this revision too, instead of keeping the one they were published with. */
  applyToRunning: z.boolean().default(false),
})
export type SettingsProposal = z.infer<typeof settingsProposalSchema>

/** Propose moving one published version to the current settings revision. */
export const repinProposalSchema = z.object({
  flowId: z.string().min(1).max(200),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'a version hash is 64 hexadecimal characters'),
  reason: z.string().trim().min(1, 'Say why the version should move to the current settings.').max(2000),
})
export type RepinProposal = z.infer<typeof repinProposalSchema>

/** Approve or reject a proposal, with an optional note. */
export const settingsDecisionSchema = z.object({
  id: z.string().min(1).max(100),
  note: z.string().trim().max(2000).default(''),
})

/** One settings revision or proposal as anyone allowed to review it reads it: the diff is masked. */
export const settingsRevisionViewSchema = z.object({
  id: z.string(),
  number: z.number().int().nullable(),
  status: z.enum(['proposed', 'applied', 'rejected']),
  kind: z.enum(['reviewed', 'bootstrap', 'repin']),
  /** For a re-pin: the published version it moves to the current revision. */
  pin: z.object({ flowId: z.string(), hash: z.string() }).nullable(),
  baseNumber: z.number().int().nullable(),
  changes: z.array(settingsChangeSchema),
  applyToRunning: z.boolean(),
  reason: z.string(),
  proposedBy: z.string(),
  proposedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
})
export type SettingsRevisionView = z.infer<typeof settingsRevisionViewSchema>
