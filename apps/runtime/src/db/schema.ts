// Every table of the runtime, in one place (drizzle-kit generates the SQL migrations from here).
import { sql } from 'drizzle-orm'
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { FlowDocument, FootprintItem, JsonValue, PhiClass } from '@carepath/dsl'
import type { RunStatus } from '@carepath/engine'
import type { MigrationReport, MigrationResults } from '../migrations/migration-report.schema.ts'
import type { RequiredSignOff, SignOffKind } from '../review/approval-policy.schema.ts'

/**
 * The runtime's roles (what a person may do), distinct from a flow's roles (work queues).
 * `compliance`: compliance and security officers, who sign off changes by their footprint
 * (PHI classes, outside systems, patient-facing channels) beside the reviewers.
 */
export const USER_ROLES = [
  'analyst',
  'developer',
  'reviewer',
  'agent',
  'auditor',
  'admin',
  'operator',
  'compliance',
] as const
export type UserRole = (typeof USER_ROLES)[number]

export const FLOW_STATUSES = ['draft', 'in-review', 'approved', 'published', 'retired'] as const
export type FlowStatus = (typeof FLOW_STATUSES)[number]

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  role: text('role').$type<UserRole>().notNull(),
  passwordHash: text('password_hash').notNull(),
  /** Flow roles (work queues such as `front-desk`) whose tasks this person works. `*` means all. */
  flowRoles: text('flow_roles', { mode: 'json' })
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'`),
  createdAt: text('created_at').notNull(),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  /**
   * The version of the person's access (role, log-in, queues): when an admin last changed it, which
   * a save from the admin screen names as its base (store/row-versions.ts). Migrations set it to
   * `created_at` for people added before it was kept, with no `updated_by`.
   */
  updatedAt: text('updated_at'),
  updatedBy: text('updated_by'),
})

/** Sessions are looked up by the sha256 of their token, never the token itself. */
export const sessions = sqliteTable('sessions', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  createdAt: integer('created_at').notNull(),
  lastSeenAt: integer('last_seen_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  revokedAt: integer('revoked_at'),
})

/** Tokens for outside systems: stored hashed, limited to scopes. */
export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  name: text('name').notNull(),
  scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
  createdAt: text('created_at').notNull(),
  /** Username of the admin who made the token (null for tokens made before this was recorded). */
  createdBy: text('created_by'),
  revokedAt: text('revoked_at'),
  /** After this instant (ISO-8601) the token is refused; tokens made before expiry existed got a year from their making. */
  expiresAt: text('expires_at'),
})

/** One row per flow: its working draft and which hash is published. */
export const flows = sqliteTable('flows', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  status: text('status').$type<FlowStatus>().notNull(),
  draftRevision: integer('draft_revision').notNull(),
  draftHash: text('draft_hash').notNull(),
  draftAuthor: text('draft_author').notNull(),
  publishedHash: text('published_hash'),
  /** Simulation suites kept with the flow (cases with input, mocks, answers, expectations). */
  suites: text('suites', { mode: 'json' })
    .$type<JsonValue[]>()
    .notNull()
    .default(sql`'[]'`),
  updatedAt: text('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
})

/** Every saved revision of a flow. Rows are never rewritten except their lifecycle status. */
export const flowVersions = sqliteTable(
  'flow_versions',
  {
    flowId: text('flow_id')
      .notNull()
      .references(() => flows.id),
    revision: integer('revision').notNull(),
    hash: text('hash').notNull(),
    document: text('document', { mode: 'json' }).$type<FlowDocument>().notNull(),
    author: text('author').notNull(),
    status: text('status').$type<'draft' | 'published' | 'superseded' | 'retired'>().notNull(),
    createdAt: text('created_at').notNull(),
    publishedAt: text('published_at'),
    /**
     * The simulation suite saved with this revision (the suite file format). Null for revisions
     * saved before suites travelled with drafts: the flow's `suites` column holds theirs.
     */
    suite: text('suite', { mode: 'json' }).$type<JsonValue>(),
    /**
     * The document hash (everything a reviewer reads: titles, descriptions, prompts). Null for
     * revisions saved before it was stored: it is computed from `document` when read.
     */
    documentHash: text('document_hash'),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.revision] }), index('flow_versions_hash').on(t.flowId, t.hash)],
)

export const reviews = sqliteTable(
  'reviews',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id')
      .notNull()
      .references(() => flows.id),
    hash: text('hash').notNull(),
    revision: integer('revision').notNull(),
    status: text('status').$type<'open' | 'approved' | 'rejected' | 'voided' | 'published'>().notNull(),
    report: text('report', { mode: 'json' }).$type<JsonValue>(),
    submittedBy: text('submitted_by').notNull(),
    submittedAt: text('submitted_at').notNull(),
    /** Each approval and the required sign-off it gives (absent on approvals made before sign-offs were required). */
    approvals: text('approvals', { mode: 'json' })
      .$type<{ by: string; at: string; comment: string; as?: SignOffKind }[]>()
      .notNull()
      .default(sql`'[]'`),
    comments: text('comments', { mode: 'json' })
      .$type<{ by: string; at: string; kind: 'approve' | 'reject' | 'comment'; comment: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    /** sha256 of the canonical JSON of the stored report: the figure the designer shows beside its own run. */
    reportHash: text('report_hash'),
    /** A reviewer's written reason to publish although test cases fail their expectations. */
    override: text('override', { mode: 'json' }).$type<{ by: string; at: string; reason: string; cases: string[] }>(),
    /** The document hash submitted: approvals are bound to it (null: reviews submitted before; the submitted revision's). */
    documentHash: text('document_hash'),
    /** What the change touches, computed on submit against the published version. */
    footprint: text('footprint', { mode: 'json' }).$type<FootprintItem[]>(),
    /** The sign-offs the approval policy required on submit (null: before policies, one reviewer). */
    signOffs: text('sign_offs', { mode: 'json' }).$type<RequiredSignOff[]>(),
  },
  (t) => [index('reviews_flow').on(t.flowId, t.hash)],
)

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    /** The content hash the run is pinned to for its whole life. */
    hash: text('hash').notNull(),
    status: text('status').$type<RunStatus>().notNull(),
    outcome: text('outcome'),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    startedBy: text('started_by').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    eventCount: integer('event_count').notNull().default(0),
    /** While waiting on a timer: when it is due (so the timer sweep needs no log fold). */
    waitUntil: text('wait_until'),
    /**
     * The process moving the run on, and until when (ISO-8601): while a step runs, no other
     * process takes the run; a process that died leaves a lease that runs out, and the run is
     * then continued by another. Null between steps.
     */
    leaseOwner: text('lease_owner'),
    leaseUntil: text('lease_until'),
    /**
     * The version hash the run's event batches are packed against (runs/event-batch-codec.ts),
     * set only once a migration moves the run to another version: null means `hash`.
     */
    logHash: text('log_hash'),
  },
  (t) => [index('runs_flow').on(t.flowId), index('runs_status').on(t.status)],
)

/**
 * The engine's event log, append-only: a run's state is the fold of its events. One encoding:
 * every row is a batch of consecutive events (`first_seq`..`last_seq`, a lone event is a batch of
 * one) stored as a JSON array in the run event format `version` it was written in.
 */
export const runEvents = sqliteTable(
  'run_events',
  {
    runId: text('run_id').notNull(),
    firstSeq: integer('first_seq').notNull(),
    lastSeq: integer('last_seq').notNull(),
    /** The engine's RUN_EVENT_VERSION when the batch was written (older rows are upgraded on read). */
    version: integer('version').notNull(),
    /**
     * The batch, packed and sealed (keys/data-cipher.ts), as bytes. Rows written before migration
     * 0020 hold it as text (sealed text, or JSON where nothing was sealed) and are read as before.
     */
    events: blob('events', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.firstSeq] })],
)

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    runId: text('run_id').notNull(),
    flowId: text('flow_id').notNull(),
    nodeId: text('node_id').notNull(),
    /** The flow role whose queue holds the task. */
    role: text('role').notNull(),
    /** `expired`: its due time passed and the run left by the step's `timeout` port. */
    status: text('status').$type<'open' | 'claimed' | 'answered' | 'cancelled' | 'expired'>().notNull(),
    /** A sealed value (keys/data-cipher.ts), or JSON text where nothing is sealed: text, not JSON, on both databases. */
    request: text('request').notNull(),
    claimedBy: text('claimed_by'),
    answeredBy: text('answered_by'),
    createdAt: text('created_at').notNull(),
    answeredAt: text('answered_at'),
    /** When the step is due (from its request), so the inbox and alerts sort and count without parsing. */
    dueAt: text('due_at'),
  },
  (t) => [index('tasks_role_status').on(t.role, t.status), index('tasks_run').on(t.runId)],
)

/**
 * One row per time a scheduled flow came due. The primary key is the claim: the process whose
 * insert lands owns the time, so several runtime processes never fire it twice. A claim whose
 * owner died is taken over once its lease has passed (the run's idempotency key is the time, so
 * taking over never starts a second run).
 */
export const scheduleTicks = sqliteTable(
  'schedule_ticks',
  {
    flowId: text('flow_id').notNull(),
    /** The scheduled time (ISO-8601, UTC). */
    tickAt: text('tick_at').notNull(),
    /** The version published when the time came. */
    hash: text('hash').notNull(),
    status: text('status').$type<'claimed' | 'fired' | 'skipped' | 'queued'>().notNull(),
    /** Why a time was skipped or queued: `overlap` or `missed`. */
    reason: text('reason'),
    runId: text('run_id'),
    owner: text('owner').notNull(),
    leaseUntil: text('lease_until').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.tickAt] }), index('schedule_ticks_status').on(t.status)],
)

/** Runs waiting at a `wait.event` step, by the message name and correlation key they wait for. */
export const eventWaits = sqliteTable(
  'event_waits',
  {
    runId: text('run_id').primaryKey(),
    name: text('name').notNull(),
    key: text('key').notNull(),
    nodeId: text('node_id').notNull(),
    since: text('since').notNull(),
  },
  (t) => [index('event_waits_name_key').on(t.name, t.key)],
)

/**
 * Messages for waiting runs (an SMS reply, an HL7 result). One that matches no waiting run yet is
 * kept `pending` until `expires_at` (a run that starts waiting for it meanwhile gets it), then
 * `expired`, and listed with the dead letters. `message_id` makes delivery idempotent.
 */
export const inboundEvents = sqliteTable(
  'inbound_events',
  {
    id: text('id').primaryKey(),
    messageId: text('message_id').notNull().unique(),
    name: text('name').notNull(),
    key: text('key').notNull(),
    /** A sealed value (keys/data-cipher.ts), or JSON text where nothing is sealed: text, not JSON, on both databases. */
    payload: text('payload').notNull(),
    /** Who delivered it: `api`, `webhook`, `hl7`. */
    source: text('source').notNull(),
    receivedAt: text('received_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    status: text('status').$type<'pending' | 'delivered' | 'expired'>().notNull(),
    runIds: text('run_ids', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
  },
  (t) => [index('inbound_events_pending').on(t.status, t.name, t.key)],
)

/** Hash-chained, FHIR-AuditEvent-shaped, append-only (triggers refuse UPDATE and DELETE). */
export const auditLog = sqliteTable('audit_log', {
  seq: integer('seq').primaryKey(),
  at: text('at').notNull(),
  /** Canonical JSON of the record (who, action, what, outcome, why), as hashed. */
  record: text('record').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
})

/**
 * The shapes of audited decision explanations (rules, conditions, thresholds and results, without
 * the references to the values seen), stored once and named in run records by the sha256 of their
 * canonical JSON; append-only like the trail (triggers refuse UPDATE and DELETE).
 */
export const auditExplanations = sqliteTable('audit_explanations', {
  hash: text('hash').primaryKey(),
  explanation: text('explanation').notNull(),
})

export const loginAttempts = sqliteTable('login_attempts', {
  username: text('username').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailureAt: integer('last_failure_at').notNull(),
  blockedUntil: integer('blocked_until').notNull(),
})

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).$type<JsonValue>().notNull(),
})

/**
 * A person's second factors: TOTP (its secret wrapped by the installation's key-encryption key,
 * never stored in the clear) and WebAuthn passkeys (public key only). Unconfirmed rows are
 * enrolments in progress.
 */
export const mfaFactors = sqliteTable(
  'mfa_factors',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind').$type<'totp' | 'webauthn'>().notNull(),
    label: text('label').notNull(),
    /** TOTP: the wrapped secret. WebAuthn: the credential (id, public key, transports) as JSON. */
    secret: text('secret').notNull(),
    /** TOTP: the last time step accepted (a code is never accepted twice). WebAuthn: the signature counter. */
    counter: integer('counter').notNull().default(0),
    createdAt: text('created_at').notNull(),
    confirmedAt: text('confirmed_at'),
    lastUsedAt: text('last_used_at'),
  },
  (t) => [index('mfa_factors_user').on(t.userId)],
)

/** One-time recovery codes, stored hashed; each works once. */
export const mfaRecoveryCodes = sqliteTable(
  'mfa_recovery_codes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    codeHash: text('code_hash').notNull(),
    createdAt: text('created_at').notNull(),
    usedAt: text('used_at'),
  },
  (t) => [index('mfa_recovery_codes_user').on(t.userId)],
)

/**
 * The half-way state of a log-in: the password (or the IdP) was accepted and a second factor,
 * or its enrolment, is still due. Looked up by the sha256 of its token; short-lived.
 */
export const loginChallenges = sqliteTable('login_challenges', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  /** `verify`: a factor is enrolled and must be shown; `enrol`: the policy needs one and none exists yet. */
  purpose: text('purpose').$type<'verify' | 'enrol'>().notNull(),
  /** A pending WebAuthn challenge, when one was issued. */
  webauthnChallenge: text('webauthn_challenge'),
  failures: integer('failures').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
})

/**
 * Single sign-on log-ins between the browser's steps, so that any runtime process can take each
 * step: one begun at the IdP (by its state: the PKCE verifier and nonce) and one finished,
 * waiting for the designer to collect its answer (by its one-time code). A row is found by the
 * sha256 of the value the browser holds and sealed under a key derived from that value, so the
 * database alone gives no verifier and no session token. Taken (deleted) when used; short-lived.
 */
export const ssoLogins = sqliteTable('sso_logins', {
  keyHash: text('key_hash').primaryKey(),
  stage: text('stage').$type<'begun' | 'finished'>().notNull(),
  sealed: text('sealed').notNull(),
  expiresAt: integer('expires_at').notNull(),
})

/**
 * Inbound HL7 messages, kept before they are acknowledged (nothing is ACKed that is not stored),
 * whichever process took them. `dedupe_key` (sender and control id) tells a resend from a new
 * message across processes. `sealed` is the message's text encrypted under the day's data key.
 * `lease_until` (ms) is null once the message has its final answer; until then it is when any
 * process may look at the message again (its taker died, or its runs could not start yet).
 * `taken_by` names the process that holds it (on SQLite, one process: any other one has died).
 */
export const hl7Messages = sqliteTable(
  'hl7_messages',
  {
    id: text('id').primaryKey(),
    dedupeKey: text('dedupe_key'),
    sender: text('sender').notNull(),
    controlId: text('control_id').notNull(),
    type: text('type').notNull(),
    via: text('via').$type<'mllp' | 'http'>().notNull(),
    receivedAt: text('received_at').notNull(),
    sha256: text('sha256').notNull(),
    sealed: text('sealed').notNull(),
    ackCode: text('ack_code'),
    reason: text('reason'),
    runIds: text('run_ids'),
    settledAt: text('settled_at'),
    leaseUntil: integer('lease_until'),
    takenBy: text('taken_by'),
  },
  (t) => [index('hl7_messages_dedupe_key').on(t.dedupeKey), index('hl7_messages_lease_until').on(t.leaseUntil)],
)

/**
 * Data keys of encryption at rest, each wrapped by the installation's key-encryption key (which
 * lives outside the database). One per run (`run:<id>`) and per inbound store; deleting a key's
 * wrapping (`shredded_at`) makes everything sealed under it unreadable for good (retention).
 */
export const dataKeys = sqliteTable('data_keys', {
  id: text('id').primaryKey(),
  /** `kekId:iv:tag:ciphertext`; empty once shredded. */
  wrapped: text('wrapped').notNull(),
  createdAt: text('created_at').notNull(),
  shreddedAt: text('shredded_at'),
})

/** A person's identity at an OpenID Connect provider (issuer + subject), linked to their Carepath user. */
export const userIdentities = sqliteTable(
  'user_identities',
  {
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.subject] })],
)

/**
 * Break-glass: a time-boxed reveal of PHI classes the person's role may not see, for one run,
 * with a written reason; compliance signs each one off.
 */
export const phiReveals = sqliteTable(
  'phi_reveals',
  {
    id: text('id').primaryKey(),
    runId: text('run_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    classes: text('classes', { mode: 'json' }).$type<string[]>().notNull(),
    reason: text('reason').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    reviewedBy: text('reviewed_by'),
    reviewedAt: text('reviewed_at'),
    reviewNote: text('review_note'),
  },
  (t) => [index('phi_reveals_user_run').on(t.userId, t.runId)],
)

/**
 * A run held at a failed step for an operator (the engine's incident.opened), kept as a row so
 * incidents can be listed and filtered without folding logs. Written in the same transaction as
 * the run's events; its cause carries no patient data (the message is redacted of the run's values).
 */
export const incidents = sqliteTable(
  'incidents',
  {
    /** `${runId}:${seq of incident.opened}` */
    id: text('id').primaryKey(),
    runId: text('run_id').notNull(),
    flowId: text('flow_id').notNull(),
    hash: text('hash').notNull(),
    nodeId: text('node_id').notNull(),
    connector: text('connector'),
    errorClass: text('error_class'),
    attempts: integer('attempts'),
    message: text('message').notNull(),
    openedAt: text('opened_at').notNull(),
    status: text('status').$type<'open' | 'resolved'>().notNull(),
    resolution: text('resolution').$type<'retry' | 'skip' | 'cancel'>(),
    port: text('port'),
    reason: text('reason'),
    resolvedBy: text('resolved_by'),
    resolvedAt: text('resolved_at'),
  },
  (t) => [index('incidents_status').on(t.status, t.flowId), index('incidents_run').on(t.runId)],
)

/**
 * Inbound messages that started no run: HL7 v2 answered AR/AE, webhooks whose flow could not
 * start, messages for wait.event that no run waited for before they expired (`event`). `key` (sender and control id, or the delivery's signature) makes a resend update the
 * same row, and a reprocess start runs with the idempotency key the first delivery would have used.
 * `payload` holds patient data: it is never listed, only reprocessed.
 */
export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    key: text('key').notNull().unique(),
    source: text('source').$type<'hl7-mllp' | 'hl7-http' | 'webhook' | 'event' | 'hl7-out'>().notNull(),
    controlId: text('control_id').notNull(),
    messageType: text('message_type').notNull(),
    sender: text('sender').notNull(),
    receivedAt: text('received_at').notNull(),
    /** How often it arrived (resends included). */
    deliveries: integer('deliveries').notNull().default(1),
    reasonCode: text('reason_code').notNull(),
    /** A plain reason, never message content. */
    reason: text('reason').notNull(),
    payload: text('payload').notNull(),
    status: text('status').$type<'open' | 'reprocessed'>().notNull(),
    runIds: text('run_ids', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    reprocessedBy: text('reprocessed_by'),
    reprocessedAt: text('reprocessed_at'),
  },
  (t) => [index('dead_letters_status').on(t.status, t.receivedAt)],
)

/**
 * Metric rollups, maintained in the transaction that writes a run's events, so a metrics read
 * costs the same at 1,000 or 1,000,000 stored runs. Counters: (`scope`, `key`, `name`) → value,
 * e.g. ('flow', 'intake@<hash>', 'completed'), ('outcome', 'intake@<hash>', 'approved'),
 * ('connector', 'fhir', 'errors'); gauges (runs waiting now) are counters moved both ways.
 */
export const metricCounts = sqliteTable(
  'metric_counts',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    value: integer('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key, t.name] })],
)

/** Histograms (cycle times, connector latencies, task times): log-scale buckets of ms, counted. */
export const metricHistograms = sqliteTable(
  'metric_histograms',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    bucket: integer('bucket').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key, t.bucket] })],
)

/**
 * Alerts: one row per episode of a rule's condition on one subject (a connector, an incident, a
 * dead letter). It opens once when the condition starts to hold, is delivered to the owners its
 * failure kind routes to, and closes when the condition clears; while open it is not sent again.
 */
export const alerts = sqliteTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    ruleId: text('rule_id').notNull(),
    /** What the episode is about: `connector:fhir`, `incident:<id>`, `dead-letter:<id>`. */
    subject: text('subject').notNull(),
    flowId: text('flow_id'),
    /** Whose it is: the owner kind the failure routes to. */
    ownerKind: text('owner_kind').notNull(),
    /** Who it went to, and how each delivery went (no patient data: the message is structure). */
    recipients: text('recipients', { mode: 'json' })
      .$type<{ to: string; channel: string; ok: boolean; error?: string }[]>()
      .notNull(),
    message: text('message').notNull(),
    status: text('status').$type<'open' | 'closed'>().notNull(),
    openedAt: text('opened_at').notNull(),
    closedAt: text('closed_at'),
  },
  (t) => [index('alerts_status').on(t.status, t.ruleId, t.subject)],
)

/**
 * HL7 v2 messages to send, one ordered store-and-forward queue per destination (hl7.send): a
 * message is delivered only after every earlier one to the same destination was acknowledged or
 * refused. The text holds PHI. (destination, control id) is unique, so a resumed run that sends
 * again queues nothing new.
 */
export const hl7Outbound = sqliteTable(
  'hl7_outbound',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    destination: text('destination').notNull(),
    controlId: text('control_id').notNull(),
    messageType: text('message_type').notNull(),
    /** The message as sent, sealed at rest (it carries patient data). */
    message: text('message').notNull(),
    runId: text('run_id').notNull(),
    nodeId: text('node_id').notNull(),
    /** `failed`: still AE after every attempt the destination allows (kept for an operator). */
    status: text('status').$type<'queued' | 'accepted' | 'rejected' | 'failed'>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Not before this instant (ISO-8601): the backoff after a failed attempt. */
    nextAttemptAt: text('next_attempt_at').notNull(),
    /** Why the last attempt failed (no message content): "timeout", "AE", "connection refused". */
    lastError: text('last_error'),
    ackCode: text('ack_code'),
    ackText: text('ack_text'),
    /** The acknowledgement as received. */
    ack: text('ack'),
    queuedAt: text('queued_at').notNull(),
    doneAt: text('done_at'),
    /**
     * The settings revision the message is delivered with: the one the sending flow version is
     * pinned to. Null (queued before revisions were recorded here): the current settings.
     */
    settingsRevision: integer('settings_revision'),
  },
  (t) => [
    uniqueIndex('hl7_outbound_control').on(t.destination, t.controlId),
    index('hl7_outbound_pending').on(t.destination, t.status, t.seq),
  ],
)

/**
 * Work queues: the flow roles human steps send tasks to, with a description an admin keeps. Who
 * works a queue is on the user (`users.flowRoles`).
 */
export const queues = sqliteTable('queues', {
  name: text('name').primaryKey(),
  description: text('description').notNull().default(''),
  /**
   * The PHI classes the queue's people are cleared to see: a flow role of this name sees only
   * these of the classes it asks for. Null when no clearance is set (each flow's role decides alone).
   */
  phi: text('phi', { mode: 'json' }).$type<PhiClass[]>(),
  updatedAt: text('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
})

/**
 * Moving the waiting runs of one version of a flow to the published one: the plan (node mapping
 * and the simulator's report of what would change) is proposed, approved by someone else (four
 * eyes), then applied run by run; each run's log records the move (`run.migrated`).
 */
export const runMigrations = sqliteTable(
  'run_migrations',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    fromHash: text('from_hash').notNull(),
    toHash: text('to_hash').notNull(),
    /** Waiting node in the old version → node in the new one (only where they differ). */
    mapping: text('mapping', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    report: text('report', { mode: 'json' }).$type<MigrationReport>().notNull(),
    status: text('status').$type<'proposed' | 'approved' | 'applied'>().notNull(),
    proposedBy: text('proposed_by').notNull(),
    proposedAt: text('proposed_at').notNull(),
    approvedBy: text('approved_by'),
    appliedAt: text('applied_at'),
    results: text('results', { mode: 'json' }).$type<MigrationResults>(),
  },
  (t) => [index('run_migrations_flow').on(t.flowId)],
)

/**
 * Applications allowed to host the embedded agent view (a CRM or contact-centre desktop),
 * managed by admins. `audience` is what launch tokens for it are signed for; `origins` are the
 * only pages that may frame the view for it (CSP frame-ancestors) and receive its events.
 */
export const hostApps = sqliteTable('host_apps', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  audience: text('audience').notNull().unique(),
  origins: text('origins', { mode: 'json' }).$type<string[]>().notNull(),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  disabledAt: text('disabled_at'),
})

/**
 * Launch tokens issued to host applications, by their nonce (jti): a token is exchanged for a
 * session at most once, so a replayed one is refused. No patient data here: the patient and
 * context travel inside the signed token only.
 */
export const launchNonces = sqliteTable('launch_nonces', {
  nonce: text('nonce').primaryKey(),
  hostAppId: text('host_app_id')
    .notNull()
    .references(() => hostApps.id),
  username: text('username').notNull(),
  issuedAt: integer('issued_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
})

/**
 * Which runs concern which patient, for the accounting of access: a keyed hash (HMAC-SHA256 under
 * the installation's PHI-reference key, kept outside the database) of each identifier-class value
 * in a run's input (an MRN, a FHIR id, a member id), its first 16 bytes. Never the value: the
 * auditor's search hashes the identifier it is given and looks the hash up. On SQLite the table
 * is WITHOUT ROWID (migration 0020): the key is the row, stored once.
 */
export const patientRefs = sqliteTable(
  'patient_refs',
  {
    ref: blob('ref', { mode: 'buffer' }).notNull(),
    runId: text('run_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ref, t.runId] })],
)

/**
 * Connector settings as numbered revisions, changed through review (four eyes). A row is a
 * proposal until a second person approves it (it then gets the next `number` and becomes the
 * current settings) or rejects it. `value` is the whole settings object sealed under the
 * settings data key, bound to the row's id; `diff` is the masked diff (credentials as "changed",
 * never a value). Bootstrap rows (first-time setup, the seed, the CLI) are applied unreviewed.
 */
export const settingsRevisions = sqliteTable(
  'settings_revisions',
  {
    id: text('id').primaryKey(),
    /** The revision number once applied (1, 2, ...); null while proposed or when rejected. */
    number: integer('number'),
    status: text('status').$type<'proposed' | 'applied' | 'rejected'>().notNull(),
    /** reviewed: a settings change; bootstrap: set up unreviewed; repin: moves one version's pin to the current revision. */
    kind: text('kind').$type<'reviewed' | 'bootstrap' | 'repin'>().notNull(),
    /** For a re-pin: the published version it moves. */
    pinFlowId: text('pin_flow_id'),
    pinHash: text('pin_hash'),
    /** The revision the proposal was made against (null: none existed). */
    baseNumber: integer('base_number'),
    value: text('value', { mode: 'json' }).$type<JsonValue>().notNull(),
    diff: text('diff', { mode: 'json' }).$type<JsonValue>().notNull(),
    /** Approved with "apply to running versions": every published version moves to this revision. */
    applyToRunning: integer('apply_to_running', { mode: 'boolean' }).notNull(),
    reason: text('reason').notNull(),
    proposedBy: text('proposed_by').notNull(),
    proposedAt: integer('proposed_at').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [uniqueIndex('settings_revisions_number').on(t.number), index('settings_revisions_status').on(t.status)],
)

/**
 * The settings revision a published flow version runs with: recorded when it is first
 * published, moved only by a reviewed change (a settings change approved for running versions,
 * or a reviewed re-pin). Versions published before revisions existed have no row: current settings.
 */
export const settingsPins = sqliteTable(
  'settings_pins',
  {
    flowId: text('flow_id').notNull(),
    hash: text('hash').notNull(),
    revision: integer('revision').notNull(),
    pinnedAt: integer('pinned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.hash] })],
)

/**
 * Evidence attached to a review (a flow version under review) or to a human step's task: mapping
 * sheets, test evidence, vendor documents. The content may hold patient data, so it is sealed
 * with the data cipher (base64 of the bytes) under a key per flow; the sha256 and size are of the
 * original bytes, and the audit trail names the attachment by that hash, never its content.
 */
export const attachments = sqliteTable(
  'attachments',
  {
    id: text('id').primaryKey(),
    /** `review`: a flow version (`subject` is its hash); `task`: a human step's task (`subject` is its id). */
    kind: text('kind').$type<'review' | 'task'>().notNull(),
    flowId: text('flow_id').notNull(),
    subject: text('subject').notNull(),
    /** The name as uploaded, cleaned of paths and control characters. */
    name: text('name').notNull(),
    /** The detected type (from the allow-list), never the one the client claimed. */
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: text('content').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: text('uploaded_at').notNull(),
  },
  (t) => [index('attachments_subject').on(t.kind, t.flowId, t.subject)],
)

/** People who asked to be told when a flow is published, rolled back or retired. */
export const flowSubscriptions = sqliteTable(
  'flow_subscriptions',
  {
    flowId: text('flow_id').notNull(),
    username: text('username').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.username] })],
)

/**
 * A change notice: a flow version published, rolled back to, or a flow retired, with a plain
 * summary of the change and the simulation's counts (structure only, no patient data), and who it
 * went to and how each delivery went.
 */
export const changeNotices = sqliteTable(
  'change_notices',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    kind: text('kind').$type<'published' | 'rolled-back' | 'retired'>().notNull(),
    hash: text('hash'),
    previousHash: text('previous_hash'),
    title: text('title').notNull(),
    summary: text('summary', { mode: 'json' }).$type<string[]>().notNull(),
    actor: text('actor').notNull(),
    createdAt: text('created_at').notNull(),
    deliveries: text('deliveries', { mode: 'json' })
      .$type<{ to: string; channel: string; ok: boolean; error?: string }[]>()
      .notNull(),
  },
  (t) => [index('change_notices_flow').on(t.flowId, t.createdAt)],
)

/** One row per in-app recipient of a notice: their inbox, with when they read it. */
export const noticeInbox = sqliteTable(
  'notice_inbox',
  {
    noticeId: text('notice_id').notNull(),
    username: text('username').notNull(),
    readAt: text('read_at'),
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.username] }), index('notice_inbox_user').on(t.username)],
)
