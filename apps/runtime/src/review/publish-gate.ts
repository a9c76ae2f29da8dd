// The one gate publishing and rollback go through: what stops a version from being published
// (blockers, in plain words) and what will fail its runs here without stopping it (warnings).
import { connectorProblems, validateFlow, type NodeRegistry } from '@carepath/dsl'
import type { Flows } from '../flows/flows.service.ts'
import type { QueuesService } from '../queues/queues.service.ts'
import { SIGN_OFF_TITLES } from './approval-policy.schema.ts'
import { failingTestCases, parityDifferences } from './failing-cases.ts'
import type { ReviewReads } from './review-reads.ts'
import { stillNeeded } from './sign-offs.ts'
import { simulationReportSchema } from './simulation-report.schema.ts'

export function createPublishGate({
  registry,
  flows: flowsService,
  queues,
  reads: { reviewFor, authorsOf },
}: {
  registry: NodeRegistry
  flows: Pick<Flows, 'versionByHash'>
  queues?: Pick<QueuesService, 'warnings'> | undefined
  reads: Pick<ReviewReads, 'reviewFor' | 'authorsOf'>
}) {
  /**
   * Everything that stops `hash` of `flowId` from being published, in plain words (empty:
   * publishable). `approvals: false` leaves out the sign-offs, for the installation's own seeding alone.
   */
  async function publishBlockers(flowId: string, hash: string, { approvals = true } = {}): Promise<string[]> {
    const blockers: string[] = []
    const version = await flowsService.versionByHash(flowId, hash)
    if (!version) return [`There is no version with hash ${hash}.`]
    const validation = validateFlow(version.document, registry)
    if (!validation.valid) blockers.push('The document is not valid with the installed node types.')
    const review = await reviewFor(flowId, hash, ['open', 'approved', 'published'])
    if (!review) blockers.push('It has not been submitted for review (its text and behaviour as they are now).')
    else {
      if (review.report == null) blockers.push('No simulation report is stored for this exact version.')
      else {
        const report = simulationReportSchema.parse(review.report)
        const differing = parityDifferences(report)
        if (differing.length > 0)
          blockers.push(
            `The compiled decisions and json-rules-engine decided differently in ${differing.length === 1 ? 'one case' : `${differing.length} cases`}: ${differing
              .slice(0, 5)
              .map((c) => `“${c.name}”`)
              .join(', ')}. Run this flow's decisions on json-rules-engine, or report the difference.`,
          )
        const failing = review.override ? [] : failingTestCases(report)
        if (failing.length > 0)
          blockers.push(
            `${failing.length === 1 ? 'A test case fails' : `${failing.length} test cases fail`} in the simulation: ${failing
              .map((c) => `“${c.name}”`)
              .join(', ')}. Fix the draft, or a reviewer writes why it may be published anyway.`,
          )
      }
      if (!approvals) return blockers
      for (const missing of stillNeeded(review))
        blockers.push(
          `It still needs the sign-off of ${SIGN_OFF_TITLES[missing.kind]}${missing.count > 1 ? ` (${missing.count} people)` : ''}: ${missing.reasons.join(' ')}`,
        )
      const authors = await authorsOf(flowId, hash)
      if (!review.approvals.some((a) => !authors.has(a.by)))
        blockers.push('It needs the approval of someone who is not its author.')
    }
    return blockers
  }

  /**
   * What does not stop `hash` from being published but will fail its runs here: nodes calling a
   * connector this installation has not configured (plain sentences, no patient data).
   */
  async function publishWarnings(flowId: string, hash: string): Promise<string[]> {
    const version = await flowsService.versionByHash(flowId, hash)
    if (!version) return []
    // Only the connector check: the full validation already ran for the blockers, and a published
    // version was valid when it was published.
    // and human steps whose queue nobody works (their tasks would reach no one).
    return [
      ...connectorProblems(version.document, registry).map((p) => p.message),
      ...((await queues?.warnings(version.document)) ?? []),
    ]
  }

  return { publishBlockers, publishWarnings }
}
