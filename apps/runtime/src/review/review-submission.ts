// Submitting a draft for review: the simulator runs first, outside the transaction; then, under the
// flow's lock, the draft is checked unchanged and its review is stored with the report, the change's
// footprint and the sign-offs the approval policy asks for, bound to the revision simulated.
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { changeFootprint, toJson } from '@carepath/dsl'
import { reviewSubmitted } from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { flows, reviews } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { flowKey, type FlowDeps, type Flows } from '../flows/flows.service.ts'
import type { ApprovalPolicyService } from './approval-policy.ts'
import { requiredSignOffs } from './approval-policy.schema.ts'
import { reportHash, type SimulationPort } from './simulation-port.ts'

/** Submission of a flow's draft for review, as the review service and the installation's own seeding use it. */
export function createReviewSubmission(
  deps: Pick<FlowDeps, 'store' | 'audit' | 'now' | 'registry'> & {
    flows: Pick<Flows, 'requireFlow' | 'version' | 'suite' | 'revisionRow' | 'versionByHash'>
    simulation: SimulationPort
    approvalPolicy: Pick<ApprovalPolicyService, 'current'>
  },
) {
  const { store, audit, now, registry, flows: flowsService, simulation, approvalPolicy } = deps
  const db = store.db

  async function submit(flowId: string, principal: Principal) {
    const flow = await flowsService.requireFlow(flowId)
    if (flow.status === 'retired') throw new AppError('conflict', 'This flow is retired.', { path: 'id' })
    if (flow.status !== 'draft')
      throw new AppError('conflict', `Only a draft can be submitted; this flow is ${flow.status}.`, { path: 'id' })
    const hash = flow.draftHash
    const candidate = await flowsService.version(flowId, hash)
    const base = flow.publishedHash ? await flowsService.version(flowId, flow.publishedHash) : null
    // The same simulation the designer runs (outside the transaction: it is not the store's work):
    // the draft's own test cases plus generated ones.
    const suite = await flowsService.suite(flowId)
    const report = await simulation.run({ base, candidate, suites: [suite], generate: true })
    return store.transaction(async () => {
      await store.sql.serialize(flowKey(flowId))
      const current = await flowsService.requireFlow(flowId)
      if (current.draftHash !== hash || current.status !== 'draft' || current.draftRevision !== flow.draftRevision)
        throw new AppError('conflict', 'The draft changed while it was being simulated; submit again.', { path: 'id' })
      // What the change touches, against the published text (not just behaviour), and what it needs.
      const draft = await flowsService.revisionRow(flowId, current.draftRevision)
      const published = current.publishedHash
        ? await flowsService.versionByHash(flowId, current.publishedHash)
        : undefined
      const footprint = changeFootprint(published?.document ?? null, draft.document, registry)
      const signOffs = requiredSignOffs(await approvalPolicy.current(), footprint, !published)
      const id = randomUUID()
      await db.insert(reviews).values({
        id,
        flowId,
        hash,
        revision: current.draftRevision,
        status: 'open',
        report: toJson(report),
        reportHash: reportHash(report),
        submittedBy: principal.username,
        submittedAt: now().toISOString(),
        documentHash: draft.documentHash,
        footprint,
        signOffs,
      })
      await db
        .update(flows)
        .set({ status: 'in-review', updatedAt: now().toISOString(), updatedBy: principal.username })
        .where(eq(flows.id, flowId))
      await audit.record(
        reviewSubmitted(
          auditActor(principal),
          { flow: flowId, hash },
          {
            review: id,
            summary: report.summary,
            footprint: [...new Set(footprint.map((f) => f.kind))],
            signOffs: signOffs.map((s) => s.kind),
          },
        ),
      )
      return { id, hash, status: 'in-review' as const, signOffs: signOffs.map((s) => s.kind) }
    })
  }

  return { submit }
}
