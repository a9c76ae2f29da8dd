// Every table of the runtime, in one place (drizzle-kit generates the SQL migrations from here).
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { FlowDocument, JsonValue } from '@carepath/dsl'
import type { MigrationReport, MigrationResults } from '../migrations/migration-report.schema.ts'

/** The runtime's roles (what a person may do), distinct from a flow's roles (work queues). */
export const USER_ROLES = ['analyst', 'developer', 'reviewer', 'agent', 'auditor', 'admin'] as const
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
    approvals: text('approvals', { mode: 'json' })
      .$type<{ by: string; at: string; comment: string }[]>()
      .notNull()
      .default(sql`'[]'`),
    comments: text('comments', { mode: 'json' })
      .$type<{ by: string; at: string; kind: 'approve' | 'reject' | 'comment'; comment: string }[]>()
      .notNull()
      .default(sql`'[]'`),
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
    status: text('status').$type<'running' | 'waiting' | 'completed' | 'failed'>().notNull(),
    outcome: text('outcome'),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    startedBy: text('started_by').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    eventCount: integer('event_count').notNull().default(0),
    /** While waiting on a timer: when it is due (so the timer sweep needs no log fold). */
    waitUntil: text('wait_until'),
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
    events: text('events', { mode: 'json' }).$type<JsonValue[]>().notNull(),
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
    request: text('request', { mode: 'json' }).$type<JsonValue>().notNull(),
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
    payload: text('payload', { mode: 'json' }).$type<JsonValue>().notNull(),
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
