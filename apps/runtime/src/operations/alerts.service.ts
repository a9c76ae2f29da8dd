// Alerts: each evaluation finds the subjects whose rule condition holds (a connector failing too
// often in a window, an incident open too long, a dead letter), opens one alert per new episode,
// routes it by the failure's kind to the flow's owner of that kind (else the installation's), and
// closes the alerts whose condition has cleared. Delivered to a user's in-app inbox, by e-mail
// through the notify connector's SMTP, or to a webhook through the http connector (its allow-list
// applies). Messages name flows, steps, connectors and counts: never patient data.
import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { ConnectorAdapter, JsonValue } from '@carepath/dsl'
import { settings } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Principal } from '../auth/auth.service.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { operationsSet } from '../audit/audit-entries.ts'
import { writeSetting } from '../review/stored-setting.ts'
import type { Store } from '../store/store.ts'
import type { DeadLetters } from './dead-letters.service.ts'
import type { IncidentStore } from './incident-store.ts'
import type { ListenerHealth } from './listener-health.ts'
import { phiMapReviewAlert, type PhiMapReviewStatus } from './phi-map-review.alert.ts'
import {
  operationsSettingsSchema,
  type AlertRule,
  type OperationsSettings,
  type OwnerKind,
  type Recipient,
} from './alert-rules.schema.ts'

/** The settings key owners and alert rules are stored under (the review reads flows' owners from it too). */
export const OPERATIONS_SETTINGS_KEY = 'operations'
const SETTINGS_KEY = OPERATIONS_SETTINGS_KEY
/** Evaluations open and close alerts one at a time across processes (`Store.sql.serialize`). */
export const ALERTS_KEY = 'carepath:alerts'

interface AlertRow {
  id: string
  rule_id: string
  subject: string
  flow_id: string | null
  owner_kind: string
  recipients: string
  message: string
  status: 'open' | 'closed'
  opened_at: string
  closed_at: string | null
}
type Delivery = { to: string; channel: string; ok: boolean; error?: string }

/** A condition that holds now: what it is about, whose it is, and what to say. */
interface Active {
  subject: string
  flowId: string | null
  /** The flow version the condition is about (a run's): its alerts go out with its pinned settings. */
  hash?: string
  ownerKind: OwnerKind
  message: string
}

export const alertView = (row: AlertRow) => ({
  id: row.id,
  ruleId: row.rule_id,
  subject: row.subject,
  flowId: row.flow_id,
  ownerKind: row.owner_kind,
  recipients: JSON.parse(row.recipients) as Delivery[],
  message: row.message,
  status: row.status,
  openedAt: row.opened_at,
  closedAt: row.closed_at,
})
export type AlertView = ReturnType<typeof alertView>

/** What the alerts read of a task past its due time. */
export interface OverdueTask {
  id: string
  flowId: string
  runId: string
  /** The step's title as the flow names it. */
  step: string
  role: string
  dueAt: string
  /** The hash of the version the task's run runs. */
  hash: string
}

const describe = (r: Recipient) =>
  'user' in r ? `user:${r.user}` : 'email' in r ? `email:${r.email}` : `webhook:${r.webhook}`

export function createAlertsService(deps: {
  store: Store
  now: () => Date
  incidents: IncidentStore
  deadLetters: DeadLetters
  connectors: Record<string, ConnectorAdapter>
  /**
   * The adapters a published version runs with (its pinned settings revision's): an alert about
   * one of its runs is sent the way that version was reviewed to send. Absent: `connectors`.
   */
  connectorsFor?: (flowId: string, hash: string) => Record<string, ConnectorAdapter>
  listeners: ListenerHealth
  audit: AuditRecorder
  /** Open tasks past their due time (ids, steps, queues and times: no patient data). */
  overdueTasks: () => Promise<OverdueTask[]>
  /** Whether the PHI touchpoint map's quarterly review is overdue (absent: never). */
  phiMapReview?: () => Promise<PhiMapReviewStatus>
}) {
  const { store, now } = deps
  const { sql } = store
  const openRows = () => sql.all<AlertRow>("SELECT * FROM alerts WHERE status = 'open' ORDER BY opened_at, id")
  const closeAlert = async (id: string, at: string) =>
    (await sql.run("UPDATE alerts SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'", [at, id]))
      .changes === 1

  async function config(): Promise<OperationsSettings> {
    const row = await store.db.select().from(settings).where(eq(settings.key, SETTINGS_KEY)).get()
    const parsed = operationsSettingsSchema.safeParse(row?.value ?? {})
    return parsed.success ? parsed.data : operationsSettingsSchema.parse({})
  }

  /** Store owners and rules; a malformed one is refused with where and why, and nothing changes. */
  async function configure(value: unknown, actor: { who: string; role: string }): Promise<OperationsSettings> {
    const parsed = operationsSettingsSchema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const path = issue?.path.map(String).join('.') ?? ''
      throw new AppError('bad-input', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`, { path })
    }
    const json = JSON.parse(JSON.stringify(parsed.data)) as JsonValue
    // The settings and their audit record commit together.
    await store.transaction(async () => {
      await writeSetting(store, SETTINGS_KEY, json)
      await deps.audit.record(
        operationsSet(
          actor,
          Object.keys(parsed.data.owners),
          parsed.data.rules.map((r) => r.id),
        ),
      )
    })
    return parsed.data
  }

  function recipientsFor(cfg: OperationsSettings, flowId: string | null, kind: OwnerKind): Recipient[] {
    const own = flowId ? cfg.owners[flowId]?.[kind] : undefined
    return own && own.length > 0 ? own : (cfg.defaultOwners[kind] ?? [])
  }

  async function active(rule: AlertRule, at: Date): Promise<Active[]> {
    if (rule.kind === 'incident-age') {
      const before = new Date(at.getTime() - rule.minutes * 60_000).toISOString()
      const held = await deps.incidents.list(
        { status: 'open', openedBefore: before, ...(rule.flowId ? { flowId: rule.flowId } : {}) },
        1000,
      )
      return held.map((i) => ({
        subject: `incident:${i.id}`,
        flowId: i.flow_id,
        hash: i.hash,
        // A connector's failure is the integration owner's; a step failing on its own, the process owner's.
        ownerKind: i.connector ? 'integration' : 'process',
        message: `Run ${i.run_id} of ${i.flow_id} is held at step "${i.node_id}"${i.connector ? ` (${i.connector}: ${i.error_class ?? 'failed'})` : ''} since ${i.opened_at}.`,
      }))
    }
    if (rule.kind === 'task-overdue') {
      const late = new Date(at.getTime() - rule.minutes * 60_000).toISOString()
      return (await deps.overdueTasks())
        .filter((task) => task.dueAt <= late && (rule.flowId === undefined || task.flowId === rule.flowId))
        .map((task) => ({
          subject: `task:${task.id}`,
          flowId: task.flowId,
          hash: task.hash,
          // A person's work running late is a workflow question: the process owner's.
          ownerKind: 'process',
          message: `The task "${task.step}" of run ${task.runId} (${task.flowId}, ${task.role} queue) was due at ${task.dueAt} and is not answered.`,
        }))
    }
    if (rule.kind === 'listener-down') {
      const downSince = new Date(at.getTime() - rule.minutes * 60_000).toISOString()
      return deps.listeners
        .list()
        .filter((l) => !l.listening && l.since <= downSince)
        .map((l) => ({
          subject: `listener:${l.name}`,
          flowId: null,
          ownerKind: 'integration',
          message: `The ${l.title} is down since ${l.since} (${l.reason ?? 'not listening'}): senders' messages are not received.`,
        }))
    }
    if (rule.kind === 'phi-map-review') return phiMapReviewAlert(await deps.phiMapReview?.())
    if (rule.kind === 'dead-letter') {
      return (await deps.deadLetters.list({ status: 'open' }, 1000)).map((d) => ({
        subject: `dead-letter:${d.id}`,
        flowId: null,
        ownerKind: 'integration',
        message: `An inbound ${d.messageType || 'message'} (${d.source}, control id ${d.controlId || 'none'}) started no run: ${d.reason}`,
      }))
    }
    const from = minuteKey(new Date(at.getTime() - rule.windowMinutes * 60_000))
    const to = minuteKey(at)
    const names = rule.connector
      ? [rule.connector]
      : (
          await sql.all<{ key: string }>(
            "SELECT DISTINCT key FROM metric_counts WHERE scope = 'connector' ORDER BY key",
          )
        ).map((r) => r.key)
    const out: Active[] = []
    for (const connector of names) {
      const rows = await sql.all<{ name: string; value: number | string }>(
        "SELECT name, sum(value) AS value FROM metric_counts WHERE scope = 'connector-minute' AND key >= ? AND key <= ? AND key LIKE ? GROUP BY name",
        [`${connector}|${from}`, `${connector}|${to}`, `${connector}|%`],
      )
      const counts = new Map(rows.map((r) => [r.name, Number(r.value)]))
      const calls = counts.get('calls') ?? 0
      const errors = counts.get('errors') ?? 0
      if (calls < rule.minCalls || errors / calls < rule.threshold) continue
      out.push({
        subject: `connector:${connector}`,
        flowId: null,
        ownerKind: 'integration',
        message: `The ${connector} connector failed ${errors} of ${calls} calls in the last ${rule.windowMinutes} min (alert at ${Math.round(rule.threshold * 100)}%).`,
      })
    }
    return out
  }

  async function deliver(
    alertId: string,
    recipients: Recipient[],
    message: string,
    version: { flowId: string; hash: string } | undefined,
  ): Promise<Delivery[]> {
    const connectors =
      version && deps.connectorsFor ? deps.connectorsFor(version.flowId, version.hash) : deps.connectors
    const out: Delivery[] = []
    for (const r of recipients) {
      const to = describe(r)
      if ('user' in r) {
        out.push({ to, channel: 'in-app', ok: true })
        continue
      }
      const [channel, call] =
        'email' in r
          ? [
              'email',
              () =>
                connectors['notify']?.(
                  {
                    channel: 'email',
                    to: r.email,
                    subject: 'Carepath alert',
                    body: message,
                    idempotencyKey: `alert:${alertId}`,
                  },
                  { runId: alertId, nodeId: 'alert', attempt: 1 },
                ),
            ]
          : [
              'webhook',
              () =>
                connectors['http']?.(
                  { method: 'POST', url: r.webhook, body: { alert: alertId, message }, timeoutMs: 5000 },
                  { runId: alertId, nodeId: 'alert', attempt: 1 },
                ),
            ]
      try {
        if (!(await call())) throw new Error('not configured')
        out.push({ to, channel, ok: true })
      } catch (error) {
        out.push({ to, channel, ok: false, error: error instanceof Error ? error.message : 'not delivered' })
      }
    }
    return out
  }

  /**
   * Open alerts for conditions that started to hold, close those that cleared. Returns what changed.
   * Several processes may evaluate at once: the alert rows change under one lock (ALERTS_KEY), and
   * each evaluation opens only what is not open by then and closes only what it saw open before it
   * read the conditions (an alert another process opened meanwhile is not closed on stale reads).
   */
  async function evaluate(): Promise<{ opened: string[]; closed: string[] }> {
    const at = now()
    const cfg = await config()
    const seenOpen = await openRows()
    // The conditions are read before the transaction: it holds only the alert rows' changes.
    const holdingOf = new Map<string, Active[]>()
    for (const rule of cfg.rules) holdingOf.set(rule.id, await active(rule, at))
    const ruleIds = new Set(cfg.rules.map((r) => r.id))
    const { opened, closed, toDeliver } = await store.transaction(async () => {
      await sql.serialize(ALERTS_KEY)
      const open = await openRows()
      const opened: string[] = []
      const closed: string[] = []
      const toDeliver: {
        id: string
        recipients: Recipient[]
        message: string
        version: { flowId: string; hash: string } | undefined
      }[] = []
      for (const row of seenOpen) {
        // Cleared, or its rule was removed.
        const holding = holdingOf.get(row.rule_id)
        if (ruleIds.has(row.rule_id) && holding?.some((a) => a.subject === row.subject)) continue
        if (await closeAlert(row.id, at.toISOString())) closed.push(row.id)
      }
      for (const rule of cfg.rules) {
        for (const a of holdingOf.get(rule.id) ?? []) {
          if (open.some((o) => o.rule_id === rule.id && o.subject === a.subject && !closed.includes(o.id))) continue
          const id = randomUUID()
          const recipients = recipientsFor(cfg, a.flowId, a.ownerKind)
          const pending = recipients.map((r) => ({ to: describe(r), channel: 'pending', ok: false }))
          await sql.run(
            "INSERT INTO alerts (id, rule_id, subject, flow_id, owner_kind, recipients, message, status, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
            [id, rule.id, a.subject, a.flowId, a.ownerKind, JSON.stringify(pending), a.message, at.toISOString()],
          )
          opened.push(id)
          const version = a.flowId !== null && a.hash ? { flowId: a.flowId, hash: a.hash } : undefined
          toDeliver.push({ id, recipients, message: a.message, version })
        }
      }
      return { opened, closed, toDeliver }
    })
    // Delivered after the episode is recorded: a slow mail server never holds the transaction,
    // and a crash before delivery leaves the alert visible in the app all the same.
    for (const d of toDeliver) {
      const delivered = await deliver(d.id, d.recipients, d.message, d.version)
      await sql.run('UPDATE alerts SET recipients = ? WHERE id = ?', [JSON.stringify(delivered), d.id])
    }
    return { opened, closed }
  }

  async function list(filter: { status?: 'open' | 'closed' | undefined }, limit = 200): Promise<AlertView[]> {
    const rows = await sql.all<AlertRow>('SELECT * FROM alerts WHERE status = ? ORDER BY opened_at DESC, id LIMIT ?', [
      filter.status ?? 'open',
      limit,
    ])
    return rows.map(alertView)
  }

  /** The open alerts addressed to one user's in-app inbox. */
  async function mine(principal: Principal): Promise<AlertView[]> {
    return (await list({ status: 'open' }, 500)).filter((a) =>
      a.recipients.some((r) => r.to === `user:${principal.username}`),
    )
  }

  return { config, configure, evaluate, list, mine }
}
export type AlertsService = ReturnType<typeof createAlertsService>

/** The per-minute key of a time: `YYYY-MM-DDTHH:MM`. */
export function minuteKey(at: Date): string {
  return at.toISOString().slice(0, 16)
}
