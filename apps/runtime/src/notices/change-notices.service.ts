// Change notices: when a flow version is published, rolled back to, or the flow retired, its
// owners (every kind; the installation's default owners of a kind the flow does not name) and
// its subscribers are told, in the app and through the alerts' channels, with a plain summary of
// what changed (the structural diff in sentences) and the simulation report's counts. The notice,
// who it went to and which deliveries failed are kept and audited. Nothing in a notice comes from
// a run: flow structure, author text and counts only.
import { and, desc, eq } from 'drizzle-orm'
import { diffFlows, summarizeDiff, type ConnectorAdapter, type FlowDocument } from '@carepath/dsl'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { flowSubscribed, noticeSent } from '../audit/audit-entries.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { changeNotices, flowSubscriptions, noticeInbox, reviews } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Flows } from '../flows/flows.service.ts'
import { OWNER_KINDS, type OperationsSettings, type Recipient } from '../operations/alert-rules.schema.ts'
import { newestReviewFirst } from '../review/newest-review.ts'
import { simulationReportSchema } from '../review/simulation-report.schema.ts'
import type { Store } from '../store/store.ts'
import { deliverNotice, recipientName } from './notice-delivery.ts'
import { orderedNoticeId } from './notice-id.ts'

export type NoticeKind = 'published' | 'rolled-back' | 'retired'

/** What happened, as the router tells it after the change committed. */
export interface ChangeEvent {
  flowId: string
  kind: NoticeKind
  /** The version now published (publish, rollback) or the one retired. */
  hash: string | null
  /** The version it replaced. */
  previousHash: string | null
}

/** A notice as a recipient's inbox shows it. */
export interface NoticeView {
  id: string
  flowId: string
  kind: NoticeKind
  hash: string | null
  previousHash: string | null
  title: string
  summary: string[]
  actor: string
  createdAt: string
  read: boolean
}

/** At most this many sentences of diff: a notice is read, not audited (the review holds the rest). */
const MAX_DIFF_LINES = 15

const VERB: Record<NoticeKind, string> = {
  published: 'was published',
  'rolled-back': 'was rolled back to an earlier version',
  retired: 'was retired',
}

export function createChangeNoticesService(deps: {
  store: Store
  audit: AuditRecorder
  now: () => Date
  flows: Pick<Flows, 'requireFlow' | 'version'>
  /** The owners per flow and the installation's defaults (the alerts' settings). */
  owners: () => OperationsSettings | Promise<OperationsSettings>
  connectors: Record<string, ConnectorAdapter>
}) {
  const { store, audit, now } = deps
  const db = store.db

  async function documentOf(flowId: string, hash: string | null): Promise<FlowDocument | null> {
    if (!hash) return null
    try {
      return await deps.flows.version(flowId, hash)
    } catch {
      return null
    }
  }

  /** The simulation counts stored when `hash` was submitted for review, as one sentence. */
  async function simulationLine(flowId: string, hash: string): Promise<string | null> {
    const review = await db
      .select({ report: reviews.report })
      .from(reviews)
      .where(and(eq(reviews.flowId, flowId), eq(reviews.hash, hash)))
      .orderBy(...newestReviewFirst)
      .get()
    const parsed = simulationReportSchema.safeParse(review?.report)
    if (!parsed.success) return null
    const s = parsed.data.summary
    return `Simulation: ${s.cases} case${s.cases === 1 ? '' : 's'} — ${s.unchanged} unchanged, ${s.changed} changed, ${s.failed} failed, ${s.unexpected} not as expected.`
  }

  /** The notice's sentences: what changed, then the simulation's counts. */
  async function summaryOf(event: ChangeEvent): Promise<string[]> {
    if (event.kind === 'retired')
      return ['No new runs of this flow start; runs already going finish on the version they started with.']
    const after = await documentOf(event.flowId, event.hash)
    const before = await documentOf(event.flowId, event.previousHash)
    const lines: string[] = []
    if (after && before) {
      // In the flow's own words: steps by title, rules by name.
      const diff = summarizeDiff(diffFlows(before, after), { before, after })
      lines.push(...diff.slice(0, MAX_DIFF_LINES))
      if (diff.length > MAX_DIFF_LINES)
        lines.push(`… and ${diff.length - MAX_DIFF_LINES} more changes (see the review).`)
      if (diff.length === 0) lines.push('Nothing the flow does changed (layout or text only).')
    } else if (after) lines.push('This is the flow’s first published version.')
    const simulation = event.hash ? await simulationLine(event.flowId, event.hash) : null
    if (simulation) lines.push(simulation)
    return lines
  }

  /** The flow's owners (each kind: the flow's, else the installation's) and its subscribers, once each. */
  async function recipientsOf(flowId: string): Promise<Recipient[]> {
    const cfg = await deps.owners()
    const owners = OWNER_KINDS.flatMap((kind) => {
      const own = cfg.owners[flowId]?.[kind]
      return own && own.length > 0 ? own : (cfg.defaultOwners[kind] ?? [])
    })
    const subscribers = (
      await db
        .select({ username: flowSubscriptions.username })
        .from(flowSubscriptions)
        .where(eq(flowSubscriptions.flowId, flowId))
        .orderBy(flowSubscriptions.createdAt, flowSubscriptions.username)
        .all()
    ).map((s): Recipient => ({ user: s.username }))
    const seen = new Set<string>()
    return [...owners, ...subscribers].filter((r) => {
      const name = recipientName(r)
      if (seen.has(name)) return false
      seen.add(name)
      return true
    })
  }

  /** Tell the flow's owners and subscribers of a change that has committed. */
  async function send(event: ChangeEvent, principal: Principal): Promise<{ id: string; recipients: string[] }> {
    const flow = await deps.flows.requireFlow(event.flowId)
    const created = now()
    const id = orderedNoticeId(created)
    const title = `“${flow.title}” (${event.flowId}) ${VERB[event.kind]} by ${principal.username}.`
    const summary = await summaryOf(event)
    const recipients = await recipientsOf(event.flowId)
    const at = created.toISOString()
    const users = recipients.flatMap((r) => ('user' in r ? [r.user] : []))
    // Recorded before anything is sent: a slow mail server never holds the transaction, and a
    // crash mid-delivery still leaves the notice in every in-app inbox.
    await store.transaction(async () => {
      await db.insert(changeNotices).values({
        id,
        flowId: event.flowId,
        kind: event.kind,
        hash: event.hash,
        previousHash: event.previousHash,
        title,
        summary,
        actor: principal.username,
        createdAt: at,
        deliveries: recipients.map((r) => ({ to: recipientName(r), channel: 'in-app', ok: false, error: 'pending' })),
      })
      for (const username of users) await db.insert(noticeInbox).values({ noticeId: id, username })
    })
    const deliveries = await deliverNotice(deps.connectors, recipients, {
      id,
      flowId: event.flowId,
      kind: event.kind,
      hash: event.hash,
      title,
      summary,
    })
    await store.transaction(async () => {
      await db.update(changeNotices).set({ deliveries }).where(eq(changeNotices.id, id))
      await audit.record(
        noticeSent(
          auditActor(principal),
          { flow: event.flowId, ...(event.hash ? { hash: event.hash } : {}) },
          {
            notice: id,
            kind: event.kind,
            recipients: deliveries.map((d) => d.to),
            failed: deliveries.filter((d) => !d.ok).map((d) => d.to),
          },
        ),
      )
    })
    return { id, recipients: deliveries.map((d) => d.to) }
  }

  /** The caller's notices, newest first, with whether they have read each. */
  async function mine(principal: Principal, limit = 100): Promise<NoticeView[]> {
    return (
      (
        await db
          .select({ notice: changeNotices, readAt: noticeInbox.readAt })
          .from(noticeInbox)
          .innerJoin(changeNotices, eq(changeNotices.id, noticeInbox.noticeId))
          .where(eq(noticeInbox.username, principal.username))
          // Two notices can carry the same time: their ids sort in the order they were made.
          .orderBy(desc(changeNotices.createdAt), desc(changeNotices.id))
          .limit(limit)
          .all()
      ).map(({ notice, readAt }) => ({
        id: notice.id,
        flowId: notice.flowId,
        kind: notice.kind,
        hash: notice.hash,
        previousHash: notice.previousHash,
        title: notice.title,
        summary: notice.summary,
        actor: notice.actor,
        createdAt: notice.createdAt,
        read: readAt !== null,
      }))
    )
  }

  /** Mark one of the caller's notices read (or unread again). */
  async function markRead(id: string, read: boolean, principal: Principal): Promise<{ id: string; read: boolean }> {
    const changed = await db
      .update(noticeInbox)
      .set({ readAt: read ? now().toISOString() : null })
      .where(and(eq(noticeInbox.noticeId, id), eq(noticeInbox.username, principal.username)))
      .returning({ id: noticeInbox.noticeId })
    if (changed.length === 0) throw new AppError('not-found', 'No such notice in your inbox.', { path: 'id' })
    return { id, read }
  }

  /** Ask to be told of a flow's changes, or stop; audited. */
  async function subscribe(
    flowId: string,
    on: boolean,
    principal: Principal,
  ): Promise<{ flowId: string; subscribed: boolean }> {
    await deps.flows.requireFlow(flowId)
    await store.transaction(async () => {
      // Only a real change is audited: subscribing twice (from two tabs, two processes) records one.
      const changed = on
        ? await db
            .insert(flowSubscriptions)
            .values({ flowId, username: principal.username, createdAt: now().toISOString() })
            .onConflictDoNothing()
            .returning({ flowId: flowSubscriptions.flowId })
        : await db
            .delete(flowSubscriptions)
            .where(and(eq(flowSubscriptions.flowId, flowId), eq(flowSubscriptions.username, principal.username)))
            .returning({ flowId: flowSubscriptions.flowId })
      if (changed.length > 0) await audit.record(flowSubscribed(auditActor(principal), flowId, on))
    })
    return { flowId, subscribed: on }
  }

  async function subscribed(flowId: string, principal: Principal): Promise<{ flowId: string; subscribed: boolean }> {
    await deps.flows.requireFlow(flowId)
    const row = await db
      .select()
      .from(flowSubscriptions)
      .where(and(eq(flowSubscriptions.flowId, flowId), eq(flowSubscriptions.username, principal.username)))
      .get()
    return { flowId, subscribed: row !== undefined }
  }

  return { send, mine, markRead, subscribe, subscribed, recipientsOf }
}
export type ChangeNoticesService = ReturnType<typeof createChangeNoticesService>
