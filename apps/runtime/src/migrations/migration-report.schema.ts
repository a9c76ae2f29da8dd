// What a migration plan stores: the simulator's report per waiting run, and what applying it did.
// Written by the migrations service, parsed by these schemas where a stored row is read.
import { z } from 'zod'

/** One waiting run in a plan: where it waits, where it would go, and what the replay showed. */
export const plannedRunSchema = z.object({
  runId: z.string(),
  /** Null when it waits inside a subflow (it cannot move). */
  waitingAt: z.string().nullable(),
  /** The node it goes on from in the new version; null when it needs a mapping (or cannot move). */
  toNode: z.string().nullable(),
  /** `unchanged`: replayed against the new version, it takes the same path to the same step. */
  replay: z.enum(['unchanged', 'changed', 'failed']),
  /** Where the replayed path first differs, or what stands in the way (node ids only, no patient data). */
  note: z.string().nullable(),
})
export type PlannedRun = z.infer<typeof plannedRunSchema>

export const migrationReportSchema = z.object({
  runs: z.array(plannedRunSchema),
  summary: z.object({
    runs: z.number().int(),
    movable: z.number().int(),
    needsMapping: z.number().int(),
    changed: z.number().int(),
  }),
})
/** The simulator's report of a migration plan. */
export type MigrationReport = z.infer<typeof migrationReportSchema>

export const migrationResultsSchema = z.array(
  z.object({ runId: z.string(), moved: z.boolean(), reason: z.string().optional() }),
)
/** Per run, whether applying the plan moved it, and why not. */
export type MigrationResults = z.infer<typeof migrationResultsSchema>
