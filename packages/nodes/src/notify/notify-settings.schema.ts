// The `notify` connector that notify calls. The log channel needs no settings, so notify is
// always configured; email and SMS refuse plainly until their settings are stored.
import { z } from 'zod'
import { defineConnector } from '@carepath/dsl'
import { connectorHeadersSchema } from '../connector-settings.schema.ts'

/** An SMTP relay for the email channel. */
export const smtpSettingsSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean().default(false),
    from: z.string().min(3),
    user: z.string().optional(),
    pass: z.string().optional(),
  })
  .strict()
/** Settings of the SMTP relay. */
export type SmtpSettings = z.infer<typeof smtpSettingsSchema>

/** Settings of the `notify` connector. */
export const notifySettingsSchema = z
  .object({
    smtp: smtpSettingsSchema.optional(),
    /** An HTTP SMS gateway taking {to, body} as JSON. */
    sms: z
      .object({ url: z.url({ protocol: /^https?$/ }), headers: connectorHeadersSchema })
      .strict()
      .optional(),
  })
  .strict()
  .default({})
/** Settings of the `notify` connector, parsed. */
export type NotifySettings = z.infer<typeof notifySettingsSchema>

/** Notifications: log (no setup), email over SMTP, SMS through an HTTP gateway. */
export const notifyConnector = defineConnector({
  name: 'notify',
  description: 'Notifications: the log channel, email over SMTP, SMS through an HTTP gateway.',
  settingsSchema: notifySettingsSchema,
  isConfigured: () => true,
})
