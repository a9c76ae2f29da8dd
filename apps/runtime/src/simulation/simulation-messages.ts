// What the simulator's main thread and its worker threads say to each other. Setup is parsed in
// full (once per worker); chunks of cases and parts of the report are checked by shape only:
// they were built by the engine on the other side of the message port, and parsing 100,000
// case inputs again would cost more than running them.
import { z } from 'zod'
import { flowDocumentSchema } from '@carepath/dsl'
import type { PlannedCase, SimulationPart } from '@carepath/engine'

const setupSchema = z.object({
  base: flowDocumentSchema.nullable(),
  candidate: flowDocumentSchema,
  recorded: z.boolean(),
  now: z.string().optional(),
  decisionEvaluator: z.enum(['compiled', 'json-rules-engine', 'parity']).optional(),
  unchangedCases: z.enum(['list', 'count']).optional(),
})

const plannedCases = z.custom<PlannedCase[]>(
  (value) =>
    Array.isArray(value) &&
    value.every((item: unknown) => isRecord(item) && isRecord(item.c) && typeof item.c.id === 'string'),
  'a chunk of planned cases',
)

const part = z.custom<SimulationPart>(
  (value) => isRecord(value) && Array.isArray(value.cases) && isRecord(value.counts),
  'a part of a simulation report',
)

/** Main thread → worker. */
export const workerRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('setup'), setup: setupSchema }),
  z.object({ type: z.literal('cases'), id: z.number().int(), cases: plannedCases }),
])
export type WorkerRequest = z.infer<typeof workerRequestSchema>

/** Worker → main thread: the part of one chunk, or why it could not run. */
export const workerReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('part'), id: z.number().int(), part }),
  z.object({ type: z.literal('error'), id: z.number().int(), message: z.string() }),
])
export type WorkerReply = z.infer<typeof workerReplySchema>

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
