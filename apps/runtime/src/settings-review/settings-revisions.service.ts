// Connector settings under review: a change is a proposal (sealed like the settings, with a
// masked diff) until a second person approves it; only then does it become the next numbered
// revision and the current settings. Published flow versions are pinned to the revision current
// when they were published and keep it unless an approved change is applied to running versions.
import { randomUUID } from 'node:crypto'
import { and, desc, eq, isNotNull, lt, max } from 'drizzle-orm'
import type { JsonValue } from '@carepath/dsl'
import type { AuditActor, AuditInput } from '../audit/audit-entries.ts'
import { settingsApplied, settingsDecided, settingsProposed } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { settingsPins, settingsRevisions } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import { keepStoredSecrets } from '../integrations/settings-secrets.ts'
import type { DataCipher } from '../keys/data-cipher.ts'
import { openJson, sealJson } from '../keys/sealed-json.ts'
import type { Store } from '../store/store.ts'
import { diffSettings, settingsDiffSchema } from './settings-diff.ts'
import { revisionAad } from './settings-snapshot.ts'
import type { RepinProposal, SettingsProposal, SettingsRevisionView } from './settings-revision.schema.ts'

type Settings = { [key: string]: JsonValue }
type Row = typeof settingsRevisions.$inferSelect

export interface SettingsRevisionsDeps {
  store: Store
  audit: AuditRecorder
  now: () => Date
  cipher: DataCipher
  /** The current settings, credentials included. */
  current: () => Settings
  /** Refuses (AppError bad-input) settings this installation cannot store. */
  check: (value: Settings) => void
  /** Writes `value` as the current settings (inside the caller's store transaction). */
  write: (value: Settings) => Promise<void>
  /** After a commit that changed the current settings: rebuild what is built from them. */
  applied: (value: Settings) => void
  /**
   * After a commit that changed revisions or pins: every process (this one first, before the
   * call returns) reads them again (settings-snapshot.ts).
   */
  changed: () => Promise<void>
}

const isSettings = (v: JsonValue | undefined): v is Settings => typeof v === 'object' && v !== null && !Array.isArray(v)
// A revision's value is bound to its row: a sealed value copied to another row does not open.
const aadOf = revisionAad

/** "The latest revision + 1" is read and written under this key (`Store.sql.serialize`). */
const SETTINGS_KEY = 'carepath:settings-revisions'

export function createSettingsRevisions(deps: SettingsRevisionsDeps) {
  const { store, audit, now, cipher } = deps
  const db = store.db

  const currentNumber = async (): Promise<number | null> =>
    (
      await db
        .select({ n: max(settingsRevisions.number) })
        .from(settingsRevisions)
        .get()
    )?.n ?? null

  function view(row: Row): SettingsRevisionView {
    return {
      id: row.id,
      number: row.number,
      status: row.status,
      kind: row.kind,
      pin: row.pinFlowId !== null && row.pinHash !== null ? { flowId: row.pinFlowId, hash: row.pinHash } : null,
      baseNumber: row.baseNumber,
      changes: settingsDiffSchema.parse(row.diff),
      applyToRunning: row.applyToRunning,
      reason: row.reason,
      proposedBy: row.proposedBy,
      proposedAt: new Date(row.proposedAt).toISOString(),
      decidedBy: row.decidedBy,
      decidedAt: row.decidedAt === null ? null : new Date(row.decidedAt).toISOString(),
      decisionNote: row.decisionNote,
    }
  }

  const valueOf = (row: Row) => openValue(cipher, row)

  /** The settings of revision `number`, credentials included (for building connector adapters). */
  async function revisionValue(number: number): Promise<Settings> {
    const row = await db.select().from(settingsRevisions).where(eq(settingsRevisions.number, number)).get()
    if (!row) throw new AppError('not-found', `There is no settings revision ${number}.`, { path: 'revision' })
    return valueOf(row)
  }

  async function proposalRow(id: string): Promise<Row> {
    const row = await db.select().from(settingsRevisions).where(eq(settingsRevisions.id, id)).get()
    if (!row) throw new AppError('not-found', `There is no proposed settings change with id "${id}".`, { path: 'id' })
    if (row.status !== 'proposed')
      throw new AppError('conflict', `This settings change was already ${row.status}; nothing was changed.`, {
        path: 'id',
      })
    return row
  }

  function refuseOwn(row: Row, actor: AuditActor, verb: string) {
    if (row.proposedBy === actor.who)
      throw new AppError('forbidden', `You proposed this settings change; another person must ${verb} it (four eyes).`)
  }

  const pinOf = async (flowId: string, hash: string): Promise<number | undefined> =>
    (
      await db
        .select({ revision: settingsPins.revision })
        .from(settingsPins)
        .where(and(eq(settingsPins.flowId, flowId), eq(settingsPins.hash, hash)))
        .get()
    )?.revision

  const rowById = async (id: string) => db.select().from(settingsRevisions).where(eq(settingsRevisions.id, id)).get()

  /** A reviewed re-pin: one published version moves to the current revision; the settings stay as they are. */
  async function approveRepin(row: Row, current: number | null, note: string, actor: AuditActor) {
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

  /** Inserts an applied revision numbered after the current one (inside a serialised transaction). */
  async function insertApplied(value: Settings, actor: AuditActor, reason: string): Promise<number> {
    const id = randomUUID()
    const base = await currentNumber()
    const number = (base ?? 0) + 1
    const at = now().getTime()
    await db.insert(settingsRevisions).values({
      id,
      number,
      status: 'applied',
      kind: 'bootstrap',
      baseNumber: base,
      value: await sealJson(cipher, 'settings', aadOf(id), value),
      diff: diffSettings(base === null ? {} : await revisionValue(base), value),
      applyToRunning: false,
      reason,
      proposedBy: actor.who,
      proposedAt: at,
      decidedBy: actor.who,
      decidedAt: at,
      decisionNote: null,
    })
    return number
  }

  return {
    /** The current revision's number (null: none recorded yet, an installation still being set up). */
    currentNumber,
    revisionValue,

    /** Propose a change (the whole settings object; a credential sent as "set" keeps the stored one). */
    async propose(input: SettingsProposal, actor: AuditActor): Promise<SettingsRevisionView> {
      const stored = deps.current()
      const merged = keepStoredSecrets(input.settings, stored)
      if (!merged.ok)
        throw new AppError('bad-input', `No secret is stored at "${merged.path}" to keep; enter its value.`, {
          path: `settings.${merged.path}`,
        })
      deps.check(merged.value)
      const changes = diffSettings(stored, merged.value)
      if (changes.length === 0)
        throw new AppError(
          'bad-input',
          'These settings are the same as the current ones; there is nothing to review.',
          {
            path: 'settings',
          },
        )
      const id = randomUUID()
      await store.transaction(async () => {
        await db.insert(settingsRevisions).values({
          id,
          number: null,
          status: 'proposed',
          kind: 'reviewed',
          baseNumber: await currentNumber(),
          value: await sealJson(cipher, 'settings', aadOf(id), merged.value),
          diff: changes,
          applyToRunning: input.applyToRunning,
          reason: input.reason,
          proposedBy: actor.who,
          proposedAt: now().getTime(),
          decidedBy: null,
          decidedAt: null,
          decisionNote: null,
        })
        await audit.record(
          settingsProposed(actor, {
            proposal: id,
            changes: changes.map(({ path, change, credential }) => ({ path, change, credential })),
            applyToRunning: input.applyToRunning,
            reason: input.reason,
          }),
        )
      })
      return view(await proposalRow(id))
    },

    /**
     * A second person approves: the proposal becomes the next revision and the current settings,
     * in one transaction with its audit records. A proposal made against an older revision is
     * refused (it would silently undo the change applied since).
     */
    async approve(id: string, note: string, actor: AuditActor): Promise<SettingsRevisionView> {
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
    },

    /** A second person rejects: nothing changes but the proposal's status. */
    async reject(id: string, note: string, actor: AuditActor): Promise<SettingsRevisionView> {
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
    },

    /** Proposals waiting for a second person, oldest first. */
    pending: async (): Promise<SettingsRevisionView[]> =>
      (
        await db
          .select()
          .from(settingsRevisions)
          .where(eq(settingsRevisions.status, 'proposed'))
          .orderBy(settingsRevisions.proposedAt, settingsRevisions.id)
          .all()
      ).map(view),

    /** Applied revisions, newest first. */
    history: async (limit = 50): Promise<SettingsRevisionView[]> =>
      (
        await db
          .select()
          .from(settingsRevisions)
          .where(and(eq(settingsRevisions.status, 'applied'), isNotNull(settingsRevisions.number)))
          .orderBy(desc(settingsRevisions.number))
          .limit(limit)
          .all()
      ).map(view),

    /** The revision a published version runs with (undefined: published before revisions, so the current one). */
    pinOf,

    /** Published versions running with an older revision than the current one. */
    behind: async () => {
      const current = await currentNumber()
      if (current === null) return []
      return db
        .select({ flowId: settingsPins.flowId, hash: settingsPins.hash, revision: settingsPins.revision })
        .from(settingsPins)
        .where(lt(settingsPins.revision, current))
        .orderBy(settingsPins.flowId, settingsPins.hash)
        .all()
    },

    /** Propose moving one published version to the current revision (a second person approves it). */
    async proposeRepin(input: RepinProposal, actor: AuditActor): Promise<SettingsRevisionView> {
      const pinned = await pinOf(input.flowId, input.hash)
      const current = await currentNumber()
      if (pinned === undefined || current === null)
        throw new AppError(
          'bad-input',
          'This version has no settings revision of its own: it was never published, or it runs with the current settings.',
          { path: 'hash' },
        )
      if (pinned === current)
        throw new AppError('bad-input', `This version already runs with the current settings (revision ${current}).`, {
          path: 'hash',
        })
      const id = randomUUID()
      const changes = [
        {
          path: `${input.flowId} version ${input.hash.slice(0, 12)}: settings revision`,
          change: 'changed' as const,
          credential: false,
          before: pinned,
          after: current,
        },
      ]
      await store.transaction(async () => {
        await db.insert(settingsRevisions).values({
          id,
          number: null,
          status: 'proposed',
          kind: 'repin',
          pinFlowId: input.flowId,
          pinHash: input.hash,
          baseNumber: current,
          value: await sealJson(cipher, 'settings', aadOf(id), {}),
          diff: changes,
          applyToRunning: false,
          reason: input.reason,
          proposedBy: actor.who,
          proposedAt: now().getTime(),
          decidedBy: null,
          decidedAt: null,
          decisionNote: null,
        })
        await audit.record(
          settingsProposed(actor, {
            proposal: id,
            changes: changes.map(({ path, change, credential }) => ({ path, change, credential })),
            applyToRunning: false,
            reason: input.reason,
          }),
        )
      })
      return view(await proposalRow(id))
    },

    /**
     * Pins a version to the current revision when it is first published. A version published again
     * (a rollback) keeps the revision it was pinned to.
     */
    async pinOnPublish(flowId: string, hash: string) {
      const number = await currentNumber()
      if (number === null) return
      const pinned = await db
        .insert(settingsPins)
        .values({ flowId, hash, revision: number, pinnedAt: now().getTime() })
        .onConflictDoNothing()
        .returning({ revision: settingsPins.revision })
      if (pinned.length > 0) await deps.changed()
    },

    /**
     * Installation bootstrap, outside review: first-time setup, the demo seed, the CLI and tests.
     * The value is stored as the next revision and the current settings at once (`write`), with
     * `record`'s audit record, in one transaction.
     */
    async bootstrap(value: Settings, actor: AuditActor, record: AuditInput, reason = 'Installation set-up') {
      await store.transaction(async () => {
        await store.sql.serialize(SETTINGS_KEY)
        await deps.write(value)
        await insertApplied(value, actor, reason)
        await audit.record(record)
      })
      await deps.changed()
      deps.applied(value)
    },

    /**
     * Settings stored before revisions existed become revision 1, so every published version can
     * be pinned to a number (at start). Nothing changes: no audit record.
     */
    async adoptExisting() {
      const value = deps.current()
      if (Object.keys(value).length === 0) return
      const adopted = await store.transaction(async () => {
        await store.sql.serialize(SETTINGS_KEY)
        if ((await currentNumber()) !== null) return false
        await insertApplied(value, { who: 'carepath', role: 'system' }, 'Settings in use before review')
        return true
      })
      if (adopted) await deps.changed()
    },
  }
}

async function openValue(cipher: DataCipher, row: Row): Promise<Settings> {
  const value = await openJson(cipher, aadOf(row.id), row.value)
  return isSettings(value) ? value : {}
}
