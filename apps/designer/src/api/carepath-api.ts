// The runtime's procedures as the designer calls them, one line each, named after the routers.
// Inputs and results are typed by the runtime's router; nothing here restates a response shape.
import type { FlowDocument, JsonValue } from '@carepath/dsl'
import { call, trpc, type RouterInputs, type RouterOutputs } from './trpc-client.ts'

/** What the password step answers: a session, or a challenge for the second factor (or its enrolment). */
export type LoginStep = RouterOutputs['auth']['login']
/** Who is logged in (what a finished log-in returns; `auth.me` returns the same and more). */
export type SessionUser = Extract<LoginStep, { status: 'ok' }>['user']
/** A TOTP enrolment begun: the secret, its otpauth:// URI and the QR code (SVG). */
export type TotpEnrolment = RouterOutputs['auth']['mfaEnrolStart']
/** What the browser's authenticator answers when signing in with a passkey. */
export type PasskeyAssertion = RouterInputs['auth']['passkeyVerify']['response']
/** What it answers when a passkey is registered. */
export type PasskeyRegistration = RouterInputs['auth']['passkeyEnrolFinish']['response']
/** Which roles must log in with a second factor, who is exempt by name, and whether an IdP's MFA counts. */
export type MfaPolicy = RouterOutputs['security']['mfaPolicy']
/** One row of the flow list. */
export type FlowSummary = RouterOutputs['flows']['list'][number]
/** One flow with its draft, published version, suites and reviews. */
export type FlowDetail = RouterOutputs['flows']['get']
/** One saved revision in a flow's history. */
export type VersionEntry = RouterOutputs['flows']['history'][number]
/** A simulation and the hash of its report (the review shows the same hash for the same simulation). */
export type SimulationRun = RouterOutputs['simulate']['run']
/** A simulation report as the viewer may see it (case facts and free text redacted by the server). */
export type SimulationReport = SimulationRun['report']
/** The review of a flow's submitted version, with its simulation report as the viewer may see it. */
export type ReviewState = RouterOutputs['review']['get']
/** The approval policy in effect and a proposed change waiting for a second admin. */
export type ApprovalPolicyState = RouterOutputs['governance']['policy']
/** A flow's owners by kind. */
export type FlowOwners = RouterOutputs['governance']['owners']
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
/** A search of the trail: by patient (MRN or FHIR id), person, run, action and time. */
export type AccessSearch = RouterInputs['audit']['search']
/** Its rows (who, when, which run or task, the PHI classes shown) and the next page's start. */
export type AccessSearchResult = RouterOutputs['audit']['search']

/** One incident as an operator sees it (its cause, no patient data). */
export type IncidentRow = RouterOutputs['incidents']['list']['incidents'][number]
/** Which incidents a list or bulk action means. */
export type IncidentFilter = RouterInputs['incidents']['list']['filter']
/** One dead letter as listed (never its content). */
export type DeadLetterRow = RouterOutputs['deadLetters']['list']['deadLetters'][number]
export type DeadLetterFilter = RouterInputs['deadLetters']['list']['filter']
/** One flow version's completion metrics. */
export type FlowMetrics = RouterOutputs['metrics']['flows'][number]
export type ConnectorMetrics = RouterOutputs['metrics']['connectors'][number]
/** One alert as listed (operators) or in an owner's inbox. */
export type AlertRow = RouterOutputs['alerts']['mine'][number]
/** Owners per flow, the installation's default owners, and the alert rules. */
export type OperationsSettings = RouterOutputs['alerts']['settings']
export type AlertRule = OperationsSettings['rules'][number]
export type Recipient = NonNullable<OperationsSettings['defaultOwners']['process']>[number]
/** What a save sends: the settings as the form holds them; the runtime validates them whole. */
export type OperationsSettingsInput = RouterInputs['alerts']['setSettings']['settings']
/** A version against the one it replaced, with the change in completion and cycle time. */
export type MetricsComparison = RouterOutputs['metrics']['compare']
/** One person as the admin screen lists them: product role and the queues they work. */
export type UserEntry = RouterOutputs['users']['list'][number]
/** One work queue: description, PHI clearance, members and the flows sending work to it. */
export type QueueEntry = RouterOutputs['queues']['list'][number]
/** A queue's PHI clearance as saved: the classes its people are cleared to see, or null for none set. */
export type QueueClearance = RouterInputs['queues']['save']['phi']
/** A queue's save: its description and clearance, and the version the edit started from (null: never saved). */
export type QueueSave = RouterInputs['queues']['save']
/** A queue as a save left it, with its new version. */
export type QueueSaved = RouterOutputs['queues']['save']
/** A person's whole list of queues, and the version of the person the change started from. */
export type PersonQueues = RouterInputs['users']['setFlowRoles']
/** A person's product role and log-in, and the version of the person the change started from. */
export type PersonAccess = RouterInputs['users']['set']
/** What adding a person takes. */
export type NewUser = RouterInputs['users']['add']
/** A plan to move waiting runs to the published version, with the simulator's report per run. */
export type RunMigration = RouterOutputs['migrations']['list'][number]
/** A host application as an admin registers it. */
export type HostAppInput = RouterInputs['embed']['saveHostApp']
export type HostAppEntry = RouterOutputs['embed']['hostApps'][number]
/** A launch exchanged: the agent's session, the host, and the launched script's run. */
export type Launched = RouterOutputs['embed']['launch']

type SimulateOptions = Omit<RouterInputs['simulate']['run'], 'flowId'>

export const api = {
  login: (username: string, password: string) => call(trpc.auth.login.mutate({ username, password })),
  loginMethods: () => call(trpc.auth.methods.query()),
  ssoExchange: (handoff: string) => call(trpc.auth.ssoExchange.mutate({ handoff })),
  verifyCode: (challenge: string, code: string) => call(trpc.auth.mfaVerify.mutate({ challenge, code })),
  verifyRecoveryCode: (challenge: string, recoveryCode: string) =>
    call(trpc.auth.mfaVerify.mutate({ challenge, recoveryCode })),
  enrolStart: (challenge?: string) => call(trpc.auth.mfaEnrolStart.mutate(challenge ? { challenge } : {})),
  enrolConfirm: (code: string, challenge?: string) =>
    call(trpc.auth.mfaEnrolConfirm.mutate(challenge ? { challenge, code } : { code })),
  passkeyOptions: (challenge: string) => call(trpc.auth.passkeyOptions.mutate({ challenge })),
  passkeyVerify: (challenge: string, response: PasskeyAssertion) =>
    call(trpc.auth.passkeyVerify.mutate({ challenge, response })),
  passkeyEnrolStart: (challenge?: string) => call(trpc.auth.passkeyEnrolStart.mutate(challenge ? { challenge } : {})),
  passkeyEnrolFinish: (response: PasskeyRegistration, challenge?: string) =>
    call(trpc.auth.passkeyEnrolFinish.mutate(challenge ? { challenge, response } : { response })),
  mfaPolicy: () => call(trpc.security.mfaPolicy.query()),
  setMfaPolicy: (policy: MfaPolicy) => call(trpc.security.setMfaPolicy.mutate(policy)),
  retention: () => call(trpc.security.retention.query()),
  setRetention: (flowId: string, days: number | null) => call(trpc.security.setRetention.mutate({ flowId, days })),
  setInboundRetention: (days: number | null) => call(trpc.security.setInboundRetention.mutate({ days })),
  reveals: (pendingOnly: boolean) => call(trpc.security.reveals.query({ pendingOnly })),
  signOffReveal: (id: string, note: string) => call(trpc.security.signOffReveal.mutate({ id, note })),
  logout: () => call(trpc.auth.logout.mutate()),
  me: () => call(trpc.auth.me.query()),
  /** The embedded view's way in: a launch token for `host`, exchanged once. */
  launch: (token: string, host: string) => call(trpc.embed.launch.mutate({ token, host })),

  listFlows: (search?: string) => call(trpc.flows.list.query(search ? { search } : {})),
  getFlow: (id: string) => call(trpc.flows.get.query({ id })),
  createFlow: (document: FlowDocument, suite?: Record<string, unknown>) =>
    call(trpc.flows.create.mutate(suite ? { document, suites: [suite] } : { document })),
  saveFlow: (id: string, document: FlowDocument, baseRevision: number, suite?: Record<string, unknown>) =>
    call(trpc.flows.save.mutate(suite ? { id, document, baseRevision, suite } : { id, document, baseRevision })),
  /** The test cases saved with the draft, as a suite file. */
  suite: (id: string) => call(trpc.flows.suite.query({ id })),
  /** The test cases saved with one revision of a flow. */
  suiteAt: (id: string, revision: number) => call(trpc.flows.suite.query({ id, revision })),
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
  overrideFailingCases: (id: string, hash: string, reason: string) =>
    call(trpc.review.override.mutate({ id, hash, reason })),
  /** Approve as one named sign-off, bound to the document the approver read. */
  approveAs: (input: RouterInputs['review']['approve']) => call(trpc.review.approve.mutate(input)),
  flowOwners: (id: string) => call(trpc.governance.owners.query({ id })),
  approvalPolicy: () => call(trpc.governance.policy.query()),
  proposeApprovalPolicy: (policy: Record<string, unknown>) => call(trpc.governance.proposePolicy.mutate({ policy })),
  approveApprovalPolicy: () => call(trpc.governance.approvePolicy.mutate({})),
  discardApprovalPolicy: () => call(trpc.governance.discardPolicy.mutate({})),

  startRun: (flowId: string, input: Record<string, unknown>, idempotencyKey: string) =>
    call(trpc.runs.start.mutate({ flowId, input, idempotencyKey })),
  listRuns: (flowId?: string) => call(trpc.runs.list.query(flowId ? { flowId } : {})),
  getRun: (id: string) => call(trpc.runs.get.query({ id })),

  inbox: () => call(trpc.tasks.inbox.query()),
  claimTask: (id: string) => call(trpc.tasks.claim.mutate({ id })),
  answerTask: (id: string, answer: JsonValue) => call(trpc.tasks.answer.mutate({ id, answer })),
  releaseTask: (id: string) => call(trpc.tasks.release.mutate({ id })),
  reassignTask: (id: string, to: string) => call(trpc.tasks.reassign.mutate({ id, to })),
  escalateTask: (id: string, to: string, reason: string) => call(trpc.tasks.escalate.mutate({ id, to, reason })),
  replayRun: (id: string) => call(trpc.runs.replay.mutate({ id })),

  listUsers: () => call(trpc.users.list.query()),
  addUser: (user: NewUser) => call(trpc.users.add.mutate(user)),
  setQueues: (change: PersonQueues) => call(trpc.users.setFlowRoles.mutate(change)),
  setUser: (change: PersonAccess) => call(trpc.users.set.mutate(change)),
  listQueues: () => call(trpc.queues.list.query()),
  hostApps: () => call(trpc.embed.hostApps.query()),
  saveHostApp: (app: HostAppInput) => call(trpc.embed.saveHostApp.mutate(app)),
  saveQueue: (queue: QueueSave) => call(trpc.queues.save.mutate(queue)),
  planMigration: (flowId: string, fromHash: string, mapping: Record<string, string>) =>
    call(trpc.migrations.plan.mutate({ flowId, fromHash, mapping })),
  listMigrations: (flowId: string) => call(trpc.migrations.list.query({ flowId })),
  approveMigration: (id: string) => call(trpc.migrations.approve.mutate({ id })),
  runMigration: (id: string) => call(trpc.migrations.migrate.mutate({ id })),

  auditPage: (limit: number, cursor?: number) =>
    call(trpc.audit.list.query(cursor === undefined ? { limit } : { limit, cursor })),
  verifyAudit: () => call(trpc.audit.verify.query()),
  searchAudit: (search: AccessSearch) => call(trpc.audit.search.query(search)),
  exportAudit: (search: AccessSearch) => call(trpc.audit.exportCsv.mutate(search)),

  incidents: (filter: IncidentFilter) => call(trpc.incidents.list.query({ filter })),
  retryIncident: (runId: string) => call(trpc.incidents.retry.mutate({ runId })),
  bulkRetry: (filter: NonNullable<IncidentFilter>, expectedCount: number) =>
    call(trpc.incidents.bulkRetry.mutate({ filter, expectedCount })),
  skipIncident: (runId: string, port: string, reason: string) =>
    call(trpc.incidents.skip.mutate({ runId, port, reason })),
  cancelIncident: (runId: string, reason: string) => call(trpc.incidents.cancel.mutate({ runId, reason })),

  deadLetters: (filter: DeadLetterFilter) => call(trpc.deadLetters.list.query({ filter })),
  reprocess: (ids: string[]) => call(trpc.deadLetters.reprocess.mutate({ ids })),

  alerts: (status: 'open' | 'closed') => call(trpc.alerts.list.query({ status })),
  evaluateAlerts: () => call(trpc.alerts.evaluate.mutate()),
  /** The open alerts routed to the caller's in-app inbox (any role). */
  myAlerts: () => call(trpc.alerts.mine.query()),
  operationsSettings: () => call(trpc.alerts.settings.query()),
  saveOperationsSettings: (settings: OperationsSettingsInput) => call(trpc.alerts.setSettings.mutate({ settings })),

  flowMetrics: () => call(trpc.metrics.flows.query({})),
  connectorMetrics: () => call(trpc.metrics.connectors.query()),
  compareMetrics: (flowId: string, base: string, candidate: string) =>
    call(trpc.metrics.compare.query({ flowId, base, candidate })),
  /** What owners can be named for and who: the flows and the active people (operators, admins). */
  ownerCandidates: () => call(trpc.alerts.candidates.query()),
}
