// The runtime's procedures as the designer calls them, one line each, named after the routers.
// Inputs and results are typed by the runtime's router; nothing here restates a response shape.
import type { FlowDocument, JsonValue } from '@carepath/dsl'
import { call, trpc, type RouterInputs, type RouterOutputs } from './trpc-client.ts'

/** Who is logged in (what log-in returns; `auth.me` returns the same and more). */
export type SessionUser = RouterOutputs['auth']['login']['user']
/** One row of the flow list. */
export type FlowSummary = RouterOutputs['flows']['list'][number]
/** One flow with its draft, published version, suites and reviews. */
export type FlowDetail = RouterOutputs['flows']['get']
/** One saved revision in a flow's history. */
export type VersionEntry = RouterOutputs['flows']['history'][number]
/** A simulation report as the viewer may see it (case facts and free text redacted by the server). */
export type SimulationReport = RouterOutputs['simulate']['run']
/** The review of a flow's submitted version, with its simulation report as the viewer may see it. */
export type ReviewState = RouterOutputs['review']['get']
/** One row of the run list. */
export type RunSummary = RouterOutputs['runs']['list'][number]
/** One run as the viewer may see it: path, decisions, events, tasks. */
export type RunDetail = RouterOutputs['runs']['get']
/** One open task of the caller's inbox. */
export type InboxTask = RouterOutputs['tasks']['inbox'][number]
/** One audit record, as `audit.list` returns it. */
export type AuditItem = RouterOutputs['audit']['list']['items'][number]
/** What checking the audit trail's hash chain found. */
export type AuditVerifyResult = RouterOutputs['audit']['verify']

/** A plan to move waiting runs to the published version, with the simulator's report per run. */
export type RunMigration = RouterOutputs['migrations']['list'][number]

type SimulateOptions = Omit<RouterInputs['simulate']['run'], 'flowId'>

export const api = {
  login: (username: string, password: string) => call(trpc.auth.login.mutate({ username, password })),
  logout: () => call(trpc.auth.logout.mutate()),
  me: () => call(trpc.auth.me.query()),

  listFlows: (search?: string) => call(trpc.flows.list.query(search ? { search } : {})),
  getFlow: (id: string) => call(trpc.flows.get.query({ id })),
  createFlow: (document: FlowDocument) => call(trpc.flows.create.mutate({ document })),
  saveFlow: (id: string, document: FlowDocument, baseRevision: number) =>
    call(trpc.flows.save.mutate({ id, document, baseRevision })),
  history: (id: string) => call(trpc.flows.history.query({ id })),
  version: (id: string, hash: string) => call(trpc.flows.version.query({ id, hash })),
  duplicateFlow: (id: string, newId: string) => call(trpc.flows.duplicate.mutate({ id, newId })),
  retireFlow: (id: string) => call(trpc.flows.retire.mutate({ id })),

  simulate: (flowId: string, options: SimulateOptions) => call(trpc.simulate.run.mutate({ flowId, ...options })),

  submitReview: (id: string) => call(trpc.review.submit.mutate({ id })),
  getReview: (id: string) => call(trpc.review.get.query({ id })),
  approve: (id: string, hash: string, comment: string) => call(trpc.review.approve.mutate({ id, hash, comment })),
  reject: (id: string, hash: string, comment: string) => call(trpc.review.reject.mutate({ id, hash, comment })),
  publish: (id: string, hash: string) => call(trpc.review.publish.mutate({ id, hash })),

  startRun: (flowId: string, input: Record<string, unknown>, idempotencyKey: string) =>
    call(trpc.runs.start.mutate({ flowId, input, idempotencyKey })),
  listRuns: (flowId?: string) => call(trpc.runs.list.query(flowId ? { flowId } : {})),
  getRun: (id: string) => call(trpc.runs.get.query({ id })),

  inbox: () => call(trpc.tasks.inbox.query()),
  claimTask: (id: string) => call(trpc.tasks.claim.mutate({ id })),
  answerTask: (id: string, answer: JsonValue) => call(trpc.tasks.answer.mutate({ id, answer })),

  planMigration: (flowId: string, fromHash: string, mapping: Record<string, string>) =>
    call(trpc.migrations.plan.mutate({ flowId, fromHash, mapping })),
  listMigrations: (flowId: string) => call(trpc.migrations.list.query({ flowId })),
  approveMigration: (id: string) => call(trpc.migrations.approve.mutate({ id })),
  runMigration: (id: string) => call(trpc.migrations.migrate.mutate({ id })),

  auditPage: (limit: number, cursor?: number) =>
    call(trpc.audit.list.query(cursor === undefined ? { limit } : { limit, cursor })),
  verifyAudit: () => call(trpc.audit.verify.query()),
}
