// Every table of the runtime on PostgreSQL: the same tables, columns, keys and indexes as
// schema.ts (the SQLite schema, which documents what each holds); schema-parity.test.ts holds the
// two in step, so a change lands on both sides or fails. drizzle-kit generates drizzle-pg/ from here.
//
// Type choices, and why:
// - JSON columns are `json`, not `jsonb`: PostgreSQL's json keeps the exact text it was given (key
//   order, spacing, number spelling), as SQLite's text does, so a value copied across, sealed
//   ciphertext included, stays byte for byte what was written and hashes the same; jsonb would
//   rewrite it. The server still refuses text that is not JSON.
// - The audit record stays `text`: it is the canonical JSON the chain hashes, never reparsed.
// - Instants kept as epoch milliseconds (sessions, log-in throttling, launch nonces, settings
//   revisions and pins), counters that only grow (metrics) and the WebAuthn signature counter (an
//   unsigned 32-bit value) are bigint: they outgrow PostgreSQL's 32-bit integer. The rest stay
//   integer.
// - SQLite's 0/1 flag is a boolean here.
// - Bytes (a sealed run batch, a patient reference) are bytea, SQLite's blob: node-postgres reads
//   them as a Buffer, as better-sqlite3 does.
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  json,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import type { FlowDocument, FootprintItem, JsonValue, PhiClass } from '@carepath/dsl'
import type { RunStatus } from '@carepath/engine'
import type { MigrationReport, MigrationResults } from '../migrations/migration-report.schema.ts'
import type { RequiredSignOff, SignOffKind } from '../review/approval-policy.schema.ts'
import type { FlowStatus, UserRole } from './schema.ts'

/** Raw bytes, read and written as a Buffer (drizzle's pg-core has no bytea of its own). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' })

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  role: text('role').$type<UserRole>().notNull(),
  passwordHash: text('password_hash').notNull(),
  flowRoles: json('flow_roles')
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'::json`),
  createdAt: text('created_at').notNull(),
  disabled: boolean('disabled').notNull().default(false),
  updatedAt: text('updated_at'),
  updatedBy: text('updated_by'),
})

export const sessions = pgTable('sessions', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  lastSeenAt: bigint('last_seen_at', { mode: 'number' }).notNull(),
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  revokedAt: bigint('revoked_at', { mode: 'number' }),
})

export const apiTokens = pgTable('api_tokens', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  name: text('name').notNull(),
  scopes: json('scopes').$type<string[]>().notNull(),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by'),
  revokedAt: text('revoked_at'),
  expiresAt: text('expires_at'),
})

export const flows = pgTable('flows', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  status: text('status').$type<FlowStatus>().notNull(),
  draftRevision: integer('draft_revision').notNull(),
  draftHash: text('draft_hash').notNull(),
  draftAuthor: text('draft_author').notNull(),
  publishedHash: text('published_hash'),
  suites: json('suites')
    .$type<JsonValue[]>()
    .notNull()
    .default(sql`'[]'::json`),
  updatedAt: text('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
})

export const flowVersions = pgTable(
  'flow_versions',
  {
    flowId: text('flow_id')
      .notNull()
      .references(() => flows.id),
    revision: integer('revision').notNull(),
    hash: text('hash').notNull(),
    document: json('document').$type<FlowDocument>().notNull(),
    author: text('author').notNull(),
    status: text('status').$type<'draft' | 'published' | 'superseded' | 'retired'>().notNull(),
    createdAt: text('created_at').notNull(),
    publishedAt: text('published_at'),
    suite: json('suite').$type<JsonValue>(),
    documentHash: text('document_hash'),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.revision] }), index('flow_versions_hash').on(t.flowId, t.hash)],
)

export const reviews = pgTable(
  'reviews',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id')
      .notNull()
      .references(() => flows.id),
    hash: text('hash').notNull(),
    revision: integer('revision').notNull(),
    status: text('status').$type<'open' | 'approved' | 'rejected' | 'voided' | 'published'>().notNull(),
    report: json('report').$type<JsonValue>(),
    submittedBy: text('submitted_by').notNull(),
    submittedAt: text('submitted_at').notNull(),
    approvals: json('approvals')
      .$type<{ by: string; at: string; comment: string; as?: SignOffKind }[]>()
      .notNull()
      .default(sql`'[]'::json`),
    comments: json('comments')
      .$type<{ by: string; at: string; kind: 'approve' | 'reject' | 'comment'; comment: string }[]>()
      .notNull()
      .default(sql`'[]'::json`),
    reportHash: text('report_hash'),
    override: json('override').$type<{ by: string; at: string; reason: string; cases: string[] }>(),
    documentHash: text('document_hash'),
    footprint: json('footprint').$type<FootprintItem[]>(),
    signOffs: json('sign_offs').$type<RequiredSignOff[]>(),
  },
  (t) => [index('reviews_flow').on(t.flowId, t.hash)],
)

export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    hash: text('hash').notNull(),
    status: text('status').$type<RunStatus>().notNull(),
    outcome: text('outcome'),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    startedBy: text('started_by').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    eventCount: integer('event_count').notNull().default(0),
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

export const runEvents = pgTable(
  'run_events',
  {
    runId: text('run_id').notNull(),
    firstSeq: integer('first_seq').notNull(),
    lastSeq: integer('last_seq').notNull(),
    version: integer('version').notNull(),
    /** A sealed batch (keys/data-cipher.ts); rows written before 0009 hold the bytes of their sealed text. */
    events: bytea('events').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.firstSeq] })],
)

export const tasks = pgTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    runId: text('run_id').notNull(),
    flowId: text('flow_id').notNull(),
    nodeId: text('node_id').notNull(),
    role: text('role').notNull(),
    status: text('status').$type<'open' | 'claimed' | 'answered' | 'cancelled' | 'expired'>().notNull(),
    /** A sealed value (keys/data-cipher.ts), or JSON text where nothing is sealed: text, not JSON, on both databases. */
    request: text('request').notNull(),
    claimedBy: text('claimed_by'),
    answeredBy: text('answered_by'),
    createdAt: text('created_at').notNull(),
    answeredAt: text('answered_at'),
    dueAt: text('due_at'),
  },
  (t) => [index('tasks_role_status').on(t.role, t.status), index('tasks_run').on(t.runId)],
)

export const scheduleTicks = pgTable(
  'schedule_ticks',
  {
    flowId: text('flow_id').notNull(),
    tickAt: text('tick_at').notNull(),
    hash: text('hash').notNull(),
    status: text('status').$type<'claimed' | 'fired' | 'skipped' | 'queued'>().notNull(),
    reason: text('reason'),
    runId: text('run_id'),
    owner: text('owner').notNull(),
    leaseUntil: text('lease_until').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.tickAt] }), index('schedule_ticks_status').on(t.status)],
)

export const eventWaits = pgTable(
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

export const inboundEvents = pgTable(
  'inbound_events',
  {
    id: text('id').primaryKey(),
    messageId: text('message_id').notNull().unique(),
    name: text('name').notNull(),
    key: text('key').notNull(),
    /** A sealed value (keys/data-cipher.ts), or JSON text where nothing is sealed: text, not JSON, on both databases. */
    payload: text('payload').notNull(),
    source: text('source').notNull(),
    receivedAt: text('received_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    status: text('status').$type<'pending' | 'delivered' | 'expired'>().notNull(),
    runIds: json('run_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::json`),
  },
  (t) => [index('inbound_events_pending').on(t.status, t.name, t.key)],
)

export const auditLog = pgTable('audit_log', {
  seq: integer('seq').primaryKey(),
  at: text('at').notNull(),
  record: text('record').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
})

/** The shapes of audited decision explanations, stored once (schema.ts). */
export const auditExplanations = pgTable('audit_explanations', {
  hash: text('hash').primaryKey(),
  explanation: text('explanation').notNull(),
})

export const loginAttempts = pgTable('login_attempts', {
  username: text('username').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailureAt: bigint('last_failure_at', { mode: 'number' }).notNull(),
  blockedUntil: bigint('blocked_until', { mode: 'number' }).notNull(),
})

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: json('value').$type<JsonValue>().notNull(),
})

export const mfaFactors = pgTable(
  'mfa_factors',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind').$type<'totp' | 'webauthn'>().notNull(),
    label: text('label').notNull(),
    secret: text('secret').notNull(),
    counter: bigint('counter', { mode: 'number' }).notNull().default(0),
    createdAt: text('created_at').notNull(),
    confirmedAt: text('confirmed_at'),
    lastUsedAt: text('last_used_at'),
  },
  (t) => [index('mfa_factors_user').on(t.userId)],
)

export const mfaRecoveryCodes = pgTable(
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

export const loginChallenges = pgTable('login_challenges', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id),
  purpose: text('purpose').$type<'verify' | 'enrol'>().notNull(),
  webauthnChallenge: text('webauthn_challenge'),
  failures: integer('failures').notNull().default(0),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  usedAt: bigint('used_at', { mode: 'number' }),
})

export const ssoLogins = pgTable('sso_logins', {
  keyHash: text('key_hash').primaryKey(),
  stage: text('stage').$type<'begun' | 'finished'>().notNull(),
  sealed: text('sealed').notNull(),
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
})

export const hl7Messages = pgTable(
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
    leaseUntil: bigint('lease_until', { mode: 'number' }),
    takenBy: text('taken_by'),
  },
  (t) => [index('hl7_messages_dedupe_key').on(t.dedupeKey), index('hl7_messages_lease_until').on(t.leaseUntil)],
)

export const dataKeys = pgTable('data_keys', {
  id: text('id').primaryKey(),
  wrapped: text('wrapped').notNull(),
  createdAt: text('created_at').notNull(),
  shreddedAt: text('shredded_at'),
})

export const userIdentities = pgTable(
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

export const phiReveals = pgTable(
  'phi_reveals',
  {
    id: text('id').primaryKey(),
    runId: text('run_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    classes: json('classes').$type<string[]>().notNull(),
    reason: text('reason').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    reviewedBy: text('reviewed_by'),
    reviewedAt: text('reviewed_at'),
    reviewNote: text('review_note'),
  },
  (t) => [index('phi_reveals_user_run').on(t.userId, t.runId)],
)

export const incidents = pgTable(
  'incidents',
  {
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

export const deadLetters = pgTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    key: text('key').notNull().unique(),
    source: text('source').$type<'hl7-mllp' | 'hl7-http' | 'webhook' | 'event' | 'hl7-out'>().notNull(),
    controlId: text('control_id').notNull(),
    messageType: text('message_type').notNull(),
    sender: text('sender').notNull(),
    receivedAt: text('received_at').notNull(),
    deliveries: integer('deliveries').notNull().default(1),
    reasonCode: text('reason_code').notNull(),
    reason: text('reason').notNull(),
    payload: text('payload').notNull(),
    status: text('status').$type<'open' | 'reprocessed'>().notNull(),
    runIds: json('run_ids')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::json`),
    reprocessedBy: text('reprocessed_by'),
    reprocessedAt: text('reprocessed_at'),
  },
  (t) => [index('dead_letters_status').on(t.status, t.receivedAt)],
)

export const metricCounts = pgTable(
  'metric_counts',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    value: bigint('value', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key, t.name] })],
)

export const metricHistograms = pgTable(
  'metric_histograms',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    bucket: integer('bucket').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key, t.bucket] })],
)

export const alerts = pgTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    ruleId: text('rule_id').notNull(),
    subject: text('subject').notNull(),
    flowId: text('flow_id'),
    ownerKind: text('owner_kind').notNull(),
    recipients: json('recipients').$type<{ to: string; channel: string; ok: boolean; error?: string }[]>().notNull(),
    message: text('message').notNull(),
    status: text('status').$type<'open' | 'closed'>().notNull(),
    openedAt: text('opened_at').notNull(),
    closedAt: text('closed_at'),
  },
  (t) => [index('alerts_status').on(t.status, t.ruleId, t.subject)],
)

export const hl7Outbound = pgTable(
  'hl7_outbound',
  {
    seq: integer('seq').primaryKey().generatedByDefaultAsIdentity(),
    destination: text('destination').notNull(),
    controlId: text('control_id').notNull(),
    messageType: text('message_type').notNull(),
    message: text('message').notNull(),
    runId: text('run_id').notNull(),
    nodeId: text('node_id').notNull(),
    status: text('status').$type<'queued' | 'accepted' | 'rejected' | 'failed'>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at').notNull(),
    lastError: text('last_error'),
    ackCode: text('ack_code'),
    ackText: text('ack_text'),
    ack: text('ack'),
    queuedAt: text('queued_at').notNull(),
    doneAt: text('done_at'),
    settingsRevision: integer('settings_revision'),
  },
  (t) => [
    uniqueIndex('hl7_outbound_control').on(t.destination, t.controlId),
    index('hl7_outbound_pending').on(t.destination, t.status, t.seq),
  ],
)

export const queues = pgTable('queues', {
  name: text('name').primaryKey(),
  description: text('description').notNull().default(''),
  phi: json('phi').$type<PhiClass[]>(),
  updatedAt: text('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
})

export const runMigrations = pgTable(
  'run_migrations',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    fromHash: text('from_hash').notNull(),
    toHash: text('to_hash').notNull(),
    mapping: json('mapping').$type<Record<string, string>>().notNull(),
    report: json('report').$type<MigrationReport>().notNull(),
    status: text('status').$type<'proposed' | 'approved' | 'applied'>().notNull(),
    proposedBy: text('proposed_by').notNull(),
    proposedAt: text('proposed_at').notNull(),
    approvedBy: text('approved_by'),
    appliedAt: text('applied_at'),
    results: json('results').$type<MigrationResults>(),
  },
  (t) => [index('run_migrations_flow').on(t.flowId)],
)

export const hostApps = pgTable('host_apps', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  audience: text('audience').notNull().unique(),
  origins: json('origins').$type<string[]>().notNull(),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  disabledAt: text('disabled_at'),
})

export const launchNonces = pgTable('launch_nonces', {
  nonce: text('nonce').primaryKey(),
  hostAppId: text('host_app_id')
    .notNull()
    .references(() => hostApps.id),
  username: text('username').notNull(),
  issuedAt: bigint('issued_at', { mode: 'number' }).notNull(),
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  usedAt: bigint('used_at', { mode: 'number' }),
})

export const patientRefs = pgTable(
  'patient_refs',
  {
    ref: bytea('ref').notNull(),
    runId: text('run_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.ref, t.runId] })],
)

export const settingsRevisions = pgTable(
  'settings_revisions',
  {
    id: text('id').primaryKey(),
    number: integer('number'),
    status: text('status').$type<'proposed' | 'applied' | 'rejected'>().notNull(),
    kind: text('kind').$type<'reviewed' | 'bootstrap' | 'repin'>().notNull(),
    pinFlowId: text('pin_flow_id'),
    pinHash: text('pin_hash'),
    baseNumber: integer('base_number'),
    value: json('value').$type<JsonValue>().notNull(),
    diff: json('diff').$type<JsonValue>().notNull(),
    applyToRunning: boolean('apply_to_running').notNull(),
    reason: text('reason').notNull(),
    proposedBy: text('proposed_by').notNull(),
    proposedAt: bigint('proposed_at', { mode: 'number' }).notNull(),
    decidedBy: text('decided_by'),
    decidedAt: bigint('decided_at', { mode: 'number' }),
    decisionNote: text('decision_note'),
  },
  (t) => [uniqueIndex('settings_revisions_number').on(t.number), index('settings_revisions_status').on(t.status)],
)

export const settingsPins = pgTable(
  'settings_pins',
  {
    flowId: text('flow_id').notNull(),
    hash: text('hash').notNull(),
    revision: integer('revision').notNull(),
    pinnedAt: bigint('pinned_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.hash] })],
)

export const attachments = pgTable(
  'attachments',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<'review' | 'task'>().notNull(),
    flowId: text('flow_id').notNull(),
    subject: text('subject').notNull(),
    name: text('name').notNull(),
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: text('content').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: text('uploaded_at').notNull(),
  },
  (t) => [index('attachments_subject').on(t.kind, t.flowId, t.subject)],
)

export const flowSubscriptions = pgTable(
  'flow_subscriptions',
  {
    flowId: text('flow_id').notNull(),
    username: text('username').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.username] })],
)

export const changeNotices = pgTable(
  'change_notices',
  {
    id: text('id').primaryKey(),
    flowId: text('flow_id').notNull(),
    kind: text('kind').$type<'published' | 'rolled-back' | 'retired'>().notNull(),
    hash: text('hash'),
    previousHash: text('previous_hash'),
    title: text('title').notNull(),
    summary: json('summary').$type<string[]>().notNull(),
    actor: text('actor').notNull(),
    createdAt: text('created_at').notNull(),
    deliveries: json('deliveries').$type<{ to: string; channel: string; ok: boolean; error?: string }[]>().notNull(),
  },
  (t) => [index('change_notices_flow').on(t.flowId, t.createdAt)],
)

export const noticeInbox = pgTable(
  'notice_inbox',
  {
    noticeId: text('notice_id').notNull(),
    username: text('username').notNull(),
    readAt: text('read_at'),
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.username] }), index('notice_inbox_user').on(t.username)],
)
