import { z } from 'zod'
import { auditActor } from '../../auth/auth.service.ts'
import { NO_FACTS, redact } from '../../phi/redaction-policy.ts'
import { phiMapDiffPolicy, phiMapPolicy, phiMapRollupPolicy, versionMapPolicy } from '../../phi/phi-map.policy.ts'
import { flowIdInput as id } from '../inputs.ts'
import { procedureFor, router } from '../trpc.ts'

const readers = procedureFor('analyst', 'developer', 'reviewer', 'auditor', 'admin', 'compliance')
// Compliance reading of the installation: the auditor and the admin keep the quarterly review.
const keepers = procedureFor('auditor', 'admin', 'compliance')
const version = z.number().int().min(1).max(1_000_000).optional()

/** The PHI touchpoint map: per version, its diff against the published one, the installation's rollup. */
export const phiMapRouter = router({
  /** The map of a stored version (the draft when `version` is absent). */
  get: readers
    .input(z.object({ id, version }).strict())
    .query(async ({ ctx, input }) =>
      redact(versionMapPolicy, await ctx.runtime.phiMaps.map(input.id, input.version), NO_FACTS),
    ),
  /**
   * The map of a document as the editor holds it (unsaved, possibly with validation errors). It
   * writes nothing, but it is posted: a whole document in a query's URL outgrows the header limit
   * (431, no answer) at a flow of ordinary size.
   */
  preview: readers
    .input(z.object({ document: z.record(z.string(), z.unknown()) }).strict())
    .mutation(async ({ ctx, input }) =>
      redact(phiMapPolicy, await ctx.runtime.phiMaps.preview(input.document), NO_FACTS),
    ),
  /** Touchpoints a version (the draft by default) adds or removes against the published version. */
  diff: readers
    .input(z.object({ id, version }).strict())
    .query(async ({ ctx, input }) =>
      redact(phiMapDiffPolicy, await ctx.runtime.phiMaps.diff(input.id, input.version), NO_FACTS),
    ),
  /** Every flow, every system, and when the map was last reviewed. */
  rollup: keepers.query(async ({ ctx }) => redact(phiMapRollupPolicy, await ctx.runtime.phiMaps.rollup(), NO_FACTS)),
  /** Record today's review of the installation's map. Audited. */
  markReviewed: keepers.mutation(async ({ ctx }) => {
    await ctx.runtime.phiMaps.markReviewed(auditActor(ctx.principal))
    return redact(phiMapRollupPolicy, await ctx.runtime.phiMaps.rollup(), NO_FACTS)
  }),
})
