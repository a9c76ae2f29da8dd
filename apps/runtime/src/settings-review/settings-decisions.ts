// A second person's decision on a settings proposal, and what an approval applies: the next
// numbered revision and the current settings, or a published version moved to the current
// revision. The four-eyes check, the decision, what it changes and its audit records share one
// serialised transaction, so two decisions at once apply one and refuse the other.
import { and, eq } from 'drizzle-orm'
import { settingsApplied, settingsDecided, type AuditActor } from '../audit/audit-entries.ts'
import { settingsPins, settingsRevisions } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { SETTINGS_KEY, type SettingsRevisionReads, type SettingsRevisionRow } from './settings-revision-reads.ts'
import type { SettingsRevisionView } from './settings-revision.schema.ts'
import type { SettingsRevisionsDeps } from './settings-revisions.service.ts'

/** Approving and rejecting settings proposals, never by the person who proposed them. */
export function createSettingsDecisions(
  deps: Pick<SettingsRevisionsDeps, 'store' | 'audit' | 'now' | 'write' | 'applied' | 'changed'>,
  reads: Pick<SettingsRevisionReads, 'currentNumber' | 'proposalRow' | 'rowById' | 'valueOf' | 'view'>,
) {
  const { store, audit, now } = deps
  const { currentNumber, proposalRow, rowById, valueOf, view } = reads
  const db = store.db

  function refuseOwn(row: SettingsRevisionRow, actor: AuditActor, verb: string) {
    if (row.proposedBy === actor.who)
      throw new AppError('forbidden', `You proposed this settings change; another person must ${verb} it (four eyes).`)
  }

  /** A reviewed re-pin: one published version moves to the current revision; the settings stay as they are. */
  async function approveRepin(row: SettingsRevisionRow, current: number | null, note: string, actor: AuditActor) {
    if (row.pinFlowId === null || row.pinHash === null || current === null)
      throw new AppError('conflict', 'This re-pin names no version; reject it.', { path: 'id' })
    const { pinFlowId: flowId, pinHash: hash } = row
    const at = now().getTime()
    await db
      .update(settingsRevisions)
      .set({ status: 'applied', decidedBy: actor.who, decidedAt: at, decisionNote: note })
      .where(eq(settingsRevisions.id, row.id))
    const moved = await db
      .update(settingsPins)
      .set({ revision: current, pinnedAt: at })
      .where(and(eq(settingsPins.flowId, flowId), eq(settingsPins.hash, hash)))
      .returning({ flowId: settingsPins.flowId })
    await audit.record(settingsDecided(actor, 'settings.approve', { proposal: row.id, note }))
    await audit.record(settingsApplied(actor, { proposal: row.id, revision: current, pinsMoved: moved.length }))
  }

  /**
   * A second person approves: the proposal becomes the next revision and the current settings,
   * in one transaction with its audit records. A proposal made against an older revision is
   * refused (it would silently undo the change applied since).
   */
  async function approve(id: string, note: string, actor: AuditActor): Promise<SettingsRevisionView> {
    // The proposal's status and "the latest revision + 1" are read as last committed: two
    // approvals at once (two admins, two processes) apply one and refuse the other.
    const applied = await store.transaction(async () => {
      await store.sql.serialize(SETTINGS_KEY)
      const row = await proposalRow(id)
      refuseOwn(row, actor, 'approve')
      const current = await currentNumber()
      if (row.baseNumber !== current)
        throw new AppError(
          'conflict',
          'The settings changed after this was proposed; reject it and propose the change again from the current settings.',
          { path: 'id' },
        )
      if (row.kind === 'repin') {
        await approveRepin(row, current, note, actor)
        return { row, value: undefined }
      }
      const value = await valueOf(row)
      const number = (current ?? 0) + 1
      const at = now().getTime()
      await db
        .update(settingsRevisions)
        .set({ status: 'applied', number, decidedBy: actor.who, decidedAt: at, decisionNote: note })
        .where(eq(settingsRevisions.id, id))
      await deps.write(value)
      const moved = row.applyToRunning
        ? (
            await db
              .update(settingsPins)
              .set({ revision: number, pinnedAt: at })
              .returning({ flowId: settingsPins.flowId })
          ).length
        : 0
      await audit.record(settingsDecided(actor, 'settings.approve', { proposal: id, note }))
      await audit.record(settingsApplied(actor, { proposal: id, revision: number, pinsMoved: moved }))
      return { row, value }
    })
    await deps.changed()
    if (applied.value) deps.applied(applied.value)
    return view((await rowById(id)) ?? applied.row)
  }

  /** A second person rejects: nothing changes but the proposal's status. */
  async function reject(id: string, note: string, actor: AuditActor): Promise<SettingsRevisionView> {
    const row = await store.transaction(async () => {
      await store.sql.serialize(SETTINGS_KEY)
      const proposed = await proposalRow(id)
      refuseOwn(proposed, actor, 'reject')
      await db
        .update(settingsRevisions)
        .set({ status: 'rejected', decidedBy: actor.who, decidedAt: now().getTime(), decisionNote: note })
        .where(eq(settingsRevisions.id, id))
      await audit.record(settingsDecided(actor, 'settings.reject', { proposal: id, note }))
      return proposed
    })
    return view((await rowById(id)) ?? row)
  }

  return { approve, reject }
}
