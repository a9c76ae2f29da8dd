// The `hl7-out` connector hl7.send calls, and the destinations an installation stores for it.
// The adapter (the store-and-forward queue and the MLLP client) is the host's.
import { z } from 'zod'
import { defineConnector } from '@carepath/dsl'
import { settingsSlugSchema } from '../connector-settings.schema.ts'

/** One receiving system reached over MLLP. */
export const hl7DestinationSchema = z
  .object({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65_535),
    /**
     * MLLPS: TLS 1.2+; `ca` (PEM) when the receiver's certificate is not publicly trusted, and a
     * client certificate (`cert` + `privateKey`, PEM) when the receiver asks for one (mutual TLS).
     * `privateKey` is a credential: the settings never show it back.
     */
    tls: z
      .object({ ca: z.string().optional(), cert: z.string().optional(), privateKey: z.string().optional() })
      .strict()
      .refine((tls) => (tls.cert === undefined) === (tls.privateKey === undefined), {
        message: 'A client certificate needs both cert and privateKey.',
      })
      .optional(),
    /** How long to wait for the ACK of one message before counting the attempt as failed. */
    ackTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** First wait after a failed attempt (AE, timeout, receiver down); doubles up to maxBackoffMs. */
    retryBackoffMs: z.number().int().min(10).max(600_000).default(1_000),
    maxBackoffMs: z.number().int().min(10).max(3_600_000).default(60_000),
    /**
     * How many times a message the receiver answers AE (application error) is sent before it is
     * set aside as failed (the node takes its error port if it still waits). Timeouts and an
     * unreachable receiver are retried without end: an outage delays messages, never loses them.
     */
    aeAttempts: z.number().int().min(1).max(1000).default(5),
    /** How long the node waits for the ACK before the run goes on by `queued` (delivery goes on). */
    waitMs: z.number().int().min(0).max(60_000).default(5_000),
  })
  .strict()
/** A destination's settings. */
export type Hl7Destination = z.infer<typeof hl7DestinationSchema>

export const hl7OutSettingsSchema = z
  .object({ destinations: z.record(settingsSlugSchema, hl7DestinationSchema).default({}) })
  .strict()
  .default({ destinations: {} })
/** Settings of the `hl7-out` connector. */
export type Hl7OutSettings = z.infer<typeof hl7OutSettingsSchema>

/** HL7 v2 receivers; each destination has its own ordered store-and-forward queue. */
export const hl7OutConnector = defineConnector({
  name: 'hl7-out',
  settingsKey: 'hl7out',
  description: 'HL7 v2 receivers reached over MLLP, each with an ordered store-and-forward queue.',
  settingsSchema: hl7OutSettingsSchema,
  isConfigured: (settings) => Object.keys(settings.destinations).length > 0,
})
