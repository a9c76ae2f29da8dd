// Break-glass: someone whose role may not see a PHI class asks for a time-boxed reveal of it for
// one run, with a written reason. The reveal is audited (the reason redacted of the run's patient
// values), compliance is told at once, and every reveal waits in a review list until an auditor
// signs it off. While it lasts, the run viewer shows that person those classes of that run only.
import { randomUUID } from 'node:crypto'
import { and, desc, eq, gt, isNull } from 'drizzle-orm'
import type { FlowDocument, PhiClass } from '@carepath/dsl'
import type { AuditActor } from '../audit/audit-entries.ts'
import { revealGranted, revealReviewed } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { auditActor, type Principal } from '../auth/auth.service.ts'
import { phiReveals, users } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { Store } from '../store/store.ts'
import type { RunEvent } from '@carepath/engine'
import { patientValuesOfRun, redactFreeText } from './free-text.ts'
import { allowedClasses, withClearance, type QueueClearances } from './redaction-gate.ts'

export const REVEAL_MAX_MINUTES = 60

export interface RevealRequest {
  runId: string
  classes: PhiClass[]
  reason: string
  minutes: number
}

/** What a reveal needs of the runs: the run, its events (for the values its reason must not quote) and its flow. */
export interface RevealRuns {
  store: {
    runById(id: string): Promise<{ id: string; flow_id: string; hash: string } | undefined>
    events(runId: string): Promise<readonly RunEvent[]>
  }
  documentFor(flowId: string, hash: string): Promise<Pick<FlowDocument, 'roles'>>
}

export function createBreakGlassService(deps: {
  store: Store
  audit: AuditRecorder
  now: () => Date
  runs: RevealRuns
  /** Compliance is told of every reveal here (the server log by default). */
  notify?: (line: string) => void
  /** The work queues' PHI clearances: a class beyond one may be revealed like any other hidden class. */
  clearances: () => Promise<QueueClearances>
}) {
  const { store, audit, now, runs } = deps
  const { db } = store
  const notify = deps.notify ?? ((line: string) => console.error(line))

  async function request(input: RevealRequest, principal: Principal) {
    const row = await runs.store.runById(input.runId)
    if (!row) throw new AppError('not-found', `No run with id "${input.runId}".`, { path: 'runId' })
    const doc = await runs.documentFor(row.flow_id, row.hash)
    const already = allowedClasses(await withClearance(principal, deps.clearances), doc)
    const classes = [...new Set(input.classes)].filter((c) => c !== 'none' && !already.includes(c)).sort()
    if (classes.length === 0)
      throw new AppError('bad-input', 'You may already see every class you asked for; nothing to reveal.', {
        path: 'classes',
      })
    const minutes = Math.min(Math.max(1, Math.round(input.minutes)), REVEAL_MAX_MINUTES)
    const at = now()
    const id = randomUUID()
    const actor: AuditActor = auditActor(principal)
    // The reason is the person's own words: whatever of the run's patient data it quotes is redacted in the trail.
    const reason = redactFreeText(input.reason, patientValuesOfRun(await runs.store.events(row.id)))
    await store.transaction(async () => {
      await db.insert(phiReveals).values({
        id,
        runId: row.id,
        userId: principal.userId,
        classes,
        reason,
        createdAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + minutes * 60_000).toISOString(),
      })
      await audit.record(
        revealGranted(
          actor,
          { flow: row.flow_id, hash: row.hash, run: row.id },
          { reveal: id, classes, minutes, reason },
        ),
      )
    })
    notify(
      `carepath: BREAK-GLASS ${principal.username} (${principal.role}) revealed ${classes.join(', ')} of run ${row.id} for ${minutes} min; review ${id} under Audit → Break-glass`,
    )
    return { id, classes, expiresAt: new Date(at.getTime() + minutes * 60_000).toISOString() }
  }

  /** The classes a live reveal adds for this person and run. */
  async function revealedClasses(userId: string, runId: string): Promise<PhiClass[]> {
    return classesOf(
      await db
        .select({ classes: phiReveals.classes })
        .from(phiReveals)
        .where(live(userId, runId, now)),
    )
  }

  /** The review list: every reveal, newest first (only those not yet signed off, when asked). */
  async function list(options: { pendingOnly?: boolean } = {}) {
    return db
      .select({
        id: phiReveals.id,
        runId: phiReveals.runId,
        username: users.username,
        classes: phiReveals.classes,
        reason: phiReveals.reason,
        createdAt: phiReveals.createdAt,
        expiresAt: phiReveals.expiresAt,
        reviewedBy: phiReveals.reviewedBy,
        reviewedAt: phiReveals.reviewedAt,
        reviewNote: phiReveals.reviewNote,
      })
      .from(phiReveals)
      .innerJoin(users, eq(users.id, phiReveals.userId))
      .where(options.pendingOnly ? isNull(phiReveals.reviewedAt) : undefined)
      .orderBy(desc(phiReveals.createdAt))
      .all()
  }

  /** Compliance signs a reveal off, with a note; the person who broke the glass may not. */
  async function signOff(id: string, note: string, principal: Principal) {
    const reveal = await db.select().from(phiReveals).where(eq(phiReveals.id, id)).get()
    if (!reveal) throw new AppError('not-found', 'No such reveal.', { path: 'id' })
    if (reveal.reviewedAt) throw new AppError('conflict', 'This reveal was signed off already.')
    if (reveal.userId === principal.userId) throw new AppError('forbidden', 'Someone else must review your own reveal.')
    const at = now().toISOString()
    await store.transaction(async () => {
      // Conditional on not yet reviewed: of two auditors signing at once, one signs it off.
      const signed = await db
        .update(phiReveals)
        .set({ reviewedBy: principal.username, reviewedAt: at, reviewNote: note })
        .where(and(eq(phiReveals.id, id), isNull(phiReveals.reviewedAt)))
        .returning({ id: phiReveals.id })
      if (signed.length !== 1) throw new AppError('conflict', 'This reveal was signed off already.')
      await audit.record(revealReviewed(auditActor(principal), reveal.runId, { reveal: id, note }))
    })
    return { id, reviewedAt: at }
  }

  return { request, revealedClasses, list, signOff }
}
export type BreakGlassService = ReturnType<typeof createBreakGlassService>

/** Reveals of this person and run not yet expired. */
const live = (userId: string, runId: string, now: () => Date) =>
  and(eq(phiReveals.userId, userId), eq(phiReveals.runId, runId), gt(phiReveals.expiresAt, now().toISOString()))
const classesOf = (rows: { classes: string[] }[]) => [...new Set(rows.flatMap((r) => r.classes as PhiClass[]))]
