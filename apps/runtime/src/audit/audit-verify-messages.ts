// What `audit verify`'s main thread and its worker threads say to each other: a stretch of the
// trail to walk, and its verdict (or why it could not be read).
import { KeyObject } from 'node:crypto'
import { z } from 'zod'

/** Given to each thread once: the database file and the chain's keys (a KeyObject crosses threads as itself). */
export const verifyBootSchema = z.object({
  file: z.string(),
  installation: z.string(),
  legacyAuditThrough: z.number().int().min(0),
  auditChainKey: z.custom<KeyObject>((value) => value instanceof KeyObject, 'the audit chain key'),
})
export type VerifyBoot = z.infer<typeof verifyBootSchema>

const stretchSchema = z.object({
  after: z.object({ seq: z.number().int(), hash: z.string() }).optional(),
  from: z.number().int(),
  through: z.number().int(),
})

/** Main thread → worker: walk this stretch. */
export const stretchRequestSchema = z.object({ index: z.number().int().min(0), stretch: stretchSchema })
export type StretchRequest = z.infer<typeof stretchRequestSchema>

/** Worker → main thread. */
export const stretchReplySchema = z.discriminatedUnion('type', [
  /** Loaded and connected: it can take stretches. */
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('verdict'),
    index: z.number().int().min(0),
    checked: z.number().int().min(0),
    firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
  }),
  z.object({ type: z.literal('error'), index: z.number().int().min(0), message: z.string() }),
])
export type StretchReply = z.infer<typeof stretchReplySchema>
