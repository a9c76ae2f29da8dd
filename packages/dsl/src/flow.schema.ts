import { z } from 'zod'
import { flowCalendarSchema } from './calendar.schema.ts'
import { factSchemaSchema } from './facts-schema.ts'
import { flowIdSchema, NODE_ID_PATTERN, NODE_TYPE_PATTERN } from './names.ts'
import { phiClassSchema } from './phi.ts'

/** The format this build writes. Older formats are upgraded by `migrateFlow`; newer ones are refused. */
export const CURRENT_FORMAT = 'carepath.flow/1'
/** The number in CURRENT_FORMAT; equals 1 + the number of format migrations. */
export const CURRENT_FORMAT_VERSION = 1

/** A node id: starts with a letter, then letters, digits, - or _ (safe in dotted paths and edge ids). */
export const nodeIdSchema = z
  .string()
  .regex(NODE_ID_PATTERN, 'a node id starts with a letter and holds letters, digits, - or _')

/** A role of the flow (a work queue such as `front-desk`) and the PHI classes it may see. */
export const flowRoleSchema = z
  .object({
    title: z.string().optional(),
    phi: z.array(phiClassSchema),
  })
  .strict()
/** A flow role and the PHI classes it may see. */
export type FlowRole = z.infer<typeof flowRoleSchema>

/**
 * How a connector node retries a failed call: `attempts` in all (1 = no retry), waiting
 * `backoffMs × factor^(n-1)` (at most `maxBackoffMs`) between them, or longer when the peer said
 * so (429/503 with Retry-After). Only timeouts, unreachable peers, 5xx and 429 are retried, never a
 * 4xx or a configuration error. Absent: the installation's default policy for connector calls.
 */
export const retryPolicySchema = z
  .object({
    attempts: z.number().int().min(1).max(10),
    backoffMs: z.number().int().min(0).max(600_000),
    factor: z.number().min(1).max(10).optional(),
    maxBackoffMs: z.number().int().min(0).max(3_600_000).optional(),
  })
  .strict()
/** A node's connector retry policy (see `retryPolicySchema`). */
export type RetryPolicy = z.infer<typeof retryPolicySchema>

/** One node of a flow: its type, the config its type validates, and where each port leads. */
export const flowNodeSchema = z
  .object({
    type: z
      .string()
      .regex(NODE_TYPE_PATTERN, 'a node type is lower-case words joined by dots, like decision.rules or end'),
    typeVersion: z.number().int().min(1),
    title: z.string().optional(),
    description: z.string().optional(),
    config: z.record(z.string(), z.unknown()),
    /** Named output port → the node it leads to. */
    next: z.record(z.string(), z.string()).default({}),
    /** Required on at least one node of every cycle: how often a run may enter this node. */
    maxVisits: z.number().int().min(1).max(10_000).optional(),
    /** Connector nodes: how failed calls are retried (the installation's default when absent). */
    retry: retryPolicySchema.optional(),
  })
  .strict()
/** One node of a flow document, as parsed (ports default to none). */
export type FlowNode = z.infer<typeof flowNodeSchema>

/** Canvas positions by node id, kept apart from behaviour. */
export const layoutSchema = z.record(z.string(), z.object({ x: z.number(), y: z.number() }).strict())

/** A whole flow version as stored, hashed, diffed and executed. */
export const flowDocumentSchema = z
  .object({
    dsl: z.literal(CURRENT_FORMAT),
    id: flowIdSchema,
    version: z.number().int().min(1),
    title: z.string().min(1),
    description: z.string().optional(),
    facts: factSchemaSchema,
    roles: z.record(z.string(), flowRoleSchema),
    start: z.string(),
    nodes: z.record(z.string(), flowNodeSchema),
    /** Working hours, time zone and holidays, for steps due in business hours. */
    calendar: flowCalendarSchema.optional(),
    /** Canvas positions: never part of the content hash. */
    layout: layoutSchema.optional(),
  })
  .strict()
/** A parsed flow document in the current format. */
export type FlowDocument = z.infer<typeof flowDocumentSchema>
