// What the settings review reads of its revisions and pins, on the store: the current number, a
// revision's value opened from its seal, a proposal still waiting, the lists reviewers see and the
// versions left on an older revision. Reads only: proposing, deciding and bootstrap write, each
// inside a transaction of its own, and call these from within it.
import { and, desc, eq, isNotNull, lt, max } from 'drizzle-orm'
import type { JsonValue } from '@carepath/dsl'
import { settingsPins, settingsRevisions } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { DataCipher } from '../keys/data-cipher.ts'
import { openJson } from '../keys/sealed-json.ts'
import type { Store } from '../store/store.ts'
import { settingsDiffSchema } from './settings-diff.ts'
import { revisionAad } from './settings-snapshot.ts'
import type { SettingsRevisionView } from './settings-revision.schema.ts'

/** Connector settings as stored in a revision: one JSON object, credentials included. */
export type Settings = { [key: string]: JsonValue }
/** One row of the revisions table: a proposal, or a revision applied or rejected. */
export type SettingsRevisionRow = typeof settingsRevisions.$inferSelect

/** "The latest revision + 1" is read and written under this key (`Store.sql.serialize`). */
export const SETTINGS_KEY = 'carepath:settings-revisions'

const isSettings = (v: JsonValue | undefined): v is Settings => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The settings review's reads on `store`; `cipher` opens the sealed value of a revision. */
export function createSettingsRevisionReads({ store, cipher }: { store: Store; cipher: DataCipher }) {
  const db = store.db

  /** The current revision's number (null: none recorded yet, an installation still being set up). */
  const currentNumber = async (): Promise<number | null> =>
    (
      await db
        .select({ n: max(settingsRevisions.number) })
        .from(settingsRevisions)
        .get()
    )?.n ?? null

  function view(row: SettingsRevisionRow): SettingsRevisionView {
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

  const valueOf = (row: SettingsRevisionRow) => openValue(cipher, row)

  /** The settings of revision `number`, credentials included (for building connector adapters). */
  async function revisionValue(number: number): Promise<Settings> {
    const row = await db.select().from(settingsRevisions).where(eq(settingsRevisions.number, number)).get()
    if (!row) throw new AppError('not-found', `There is no settings revision ${number}.`, { path: 'revision' })
    return valueOf(row)
  }

  async function proposalRow(id: string): Promise<SettingsRevisionRow> {
    const row = await db.select().from(settingsRevisions).where(eq(settingsRevisions.id, id)).get()
    if (!row) throw new AppError('not-found', `There is no proposed settings change with id "${id}".`, { path: 'id' })
    if (row.status !== 'proposed')
      throw new AppError('conflict', `This settings change was already ${row.status}; nothing was changed.`, {
        path: 'id',
      })
    return row
  }

  /** The revision a published version runs with (undefined: published before revisions, so the current one). */
  const pinOf = async (flowId: string, hash: string): Promise<number | undefined> =>
    (
      await db
        .select({ revision: settingsPins.revision })
        .from(settingsPins)
        .where(and(eq(settingsPins.flowId, flowId), eq(settingsPins.hash, hash)))
        .get()
    )?.revision

  const rowById = async (id: string) => db.select().from(settingsRevisions).where(eq(settingsRevisions.id, id)).get()

  /** Proposals waiting for a second person, oldest first. */
  const pending = async (): Promise<SettingsRevisionView[]> =>
    (
      await db
        .select()
        .from(settingsRevisions)
        .where(eq(settingsRevisions.status, 'proposed'))
        .orderBy(settingsRevisions.proposedAt, settingsRevisions.id)
        .all()
    ).map(view)

  /** Applied revisions, newest first. */
  const history = async (limit = 50): Promise<SettingsRevisionView[]> =>
    (
      await db
        .select()
        .from(settingsRevisions)
        .where(and(eq(settingsRevisions.status, 'applied'), isNotNull(settingsRevisions.number)))
        .orderBy(desc(settingsRevisions.number))
        .limit(limit)
        .all()
    ).map(view)

  /** Published versions running with an older revision than the current one. */
  const behind = async () => {
    const current = await currentNumber()
    if (current === null) return []
    return db
      .select({ flowId: settingsPins.flowId, hash: settingsPins.hash, revision: settingsPins.revision })
      .from(settingsPins)
      .where(lt(settingsPins.revision, current))
      .orderBy(settingsPins.flowId, settingsPins.hash)
      .all()
  }

  return { currentNumber, view, valueOf, revisionValue, proposalRow, pinOf, rowById, pending, history, behind }
}
/** What the proposing, deciding and bootstrap parts of the settings review read through. */
export type SettingsRevisionReads = ReturnType<typeof createSettingsRevisionReads>

// A revision's value is bound to its row: a sealed value copied to another row does not open.
async function openValue(cipher: DataCipher, row: SettingsRevisionRow): Promise<Settings> {
  const value = await openJson(cipher, revisionAad(row.id), row.value)
  return isSettings(value) ? value : {}
}
