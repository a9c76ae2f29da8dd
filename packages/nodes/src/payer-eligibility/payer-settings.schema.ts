// The `payer` connector that payer.eligibility calls, and the settings an installation stores
// for it: one entry per payer, under the `payers` key.
import { z } from 'zod'
import { defineConnector } from '@carepath/dsl'
import { connectorHeadersSchema, connectorTimeoutMsSchema, settingsSlugSchema } from '../connector-settings.schema.ts'

/** How one payer is reached: FHIR, real-time X12 270/271, or both. */
export const payerSettingsSchema = z
  .object({
    /** FHIR endpoint taking CoverageEligibilityRequest (POST {baseUrl}/CoverageEligibilityRequest/$submit or plain POST). */
    fhir: z
      .object({ baseUrl: z.url({ protocol: /^https?$/ }), headers: connectorHeadersSchema })
      .strict()
      .optional(),
    /** Real-time X12: POST the 270, the body of the answer is the 271. */
    x12: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        headers: connectorHeadersSchema,
        senderId: z.string().min(2).max(15),
        receiverId: z.string().min(2).max(15),
        payerName: z.string().min(1).max(60),
        payerId: z.string().min(1).max(80),
        providerName: z.string().min(1).max(60),
        providerNpi: z.string().regex(/^\d{10}$/),
        /** Refuse 271s whose SE01 segment count is wrong (X12 strict mode). */
        strict: z.boolean().default(true),
      })
      .strict()
      .optional(),
    timeoutMs: connectorTimeoutMsSchema,
  })
  .strict()
/** Settings of one payer. */
export type PayerSettings = z.infer<typeof payerSettingsSchema>

/** Payers by the name flows use in payer.eligibility's `payer`. */
export const payersSettingsSchema = z.record(settingsSlugSchema, payerSettingsSchema).default({})

/** Eligibility checks with payers; configured once at least one payer is stored. */
export const payerConnector = defineConnector({
  name: 'payer',
  settingsKey: 'payers',
  description: 'Eligibility checks with payers (FHIR CoverageEligibilityRequest or X12 270/271).',
  settingsSchema: payersSettingsSchema,
  isConfigured: (payers) => Object.keys(payers).length > 0,
})
