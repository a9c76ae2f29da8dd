// The `http` connector that http.request calls: only hosts on the environment's allow-list.
import { z } from 'zod'
import { defineConnector } from '@carepath/dsl'

/** Settings of the `http` connector. */
export const httpSettingsSchema = z
  .object({
    /** Hosts http.request may call: `api.example.org`, `127.0.0.1:8089`, `*.example.org`. */
    allowHosts: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .default({ allowHosts: [] })
/** Settings of the `http` connector, parsed. */
export type HttpSettings = z.infer<typeof httpSettingsSchema>

/** Outbound HTTP to allow-listed hosts; configured once a host is allowed. */
export const httpConnector = defineConnector({
  name: 'http',
  description: 'HTTP calls to the hosts on this environment’s allow-list.',
  settingsSchema: httpSettingsSchema,
  isConfigured: (settings) => settings.allowHosts.length > 0,
})
