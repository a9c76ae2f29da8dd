// Connector settings per environment, as a developer or admin stores them (settings router).
// Base URLs, hosts and credentials live here, never in flow documents.
import { z } from 'zod'

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
const headers = z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({})
const timeoutMs = z.number().int().min(100).max(120_000).default(10_000)

export const fhirSettingsSchema = z.object({ baseUrl: z.url({ protocol: /^https?$/ }), headers, timeoutMs }).strict()

export const payerSettingsSchema = z
  .object({
    /** FHIR endpoint taking CoverageEligibilityRequest (POST {baseUrl}/CoverageEligibilityRequest/$submit or plain POST). */
    fhir: z
      .object({ baseUrl: z.url({ protocol: /^https?$/ }), headers })
      .strict()
      .optional(),
    /** Real-time X12: POST the 270, the body of the answer is the 271. */
    x12: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        headers,
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
    timeoutMs,
  })
  .strict()

export const smtpSettingsSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean().default(false),
    from: z.string().min(3),
    user: z.string().optional(),
    pass: z.string().optional(),
    /** Only for a local test server with a self-signed certificate. */
    allowSelfSigned: z.boolean().default(false),
  })
  .strict()

export const integrationSettingsSchema = z
  .object({
    fhir: fhirSettingsSchema.optional(),
    payers: z.record(slug, payerSettingsSchema).default({}),
    http: z
      .object({
        /** Hosts http.request may call: `api.example.org`, `127.0.0.1:8089`, `*.example.org`. */
        allowHosts: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ allowHosts: [] }),
    notify: z
      .object({
        smtp: smtpSettingsSchema.optional(),
        /** An HTTP SMS gateway taking {to, body} as JSON. */
        sms: z
          .object({ url: z.url({ protocol: /^https?$/ }), headers })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    webhooks: z
      .object({
        /** Signing secrets by name (trigger.webhook's `secret`). */
        secrets: z.record(slug, z.string().min(16)).default({}),
      })
      .strict()
      .default({ secrets: {} }),
  })
  .loose()
export type IntegrationConfig = z.infer<typeof integrationSettingsSchema>
export type FhirSettings = z.infer<typeof fhirSettingsSchema>
export type PayerSettings = z.infer<typeof payerSettingsSchema>
export type SmtpSettings = z.infer<typeof smtpSettingsSchema>
