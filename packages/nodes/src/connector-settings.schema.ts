// Pieces the built-in connectors' settings schemas share.
import { z } from 'zod'

/** Extra request headers (an API key, a tenant id); values are credentials and masked on read. */
export const connectorHeadersSchema = z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({})
/** How long one call may take before it fails as retryable. */
export const connectorTimeoutMsSchema = z.number().int().min(100).max(120_000).default(10_000)
/** A name an admin gives a configured peer (`acme`, `lab-east`). */
export const settingsSlugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
