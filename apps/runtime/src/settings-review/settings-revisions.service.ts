// Connector settings under review: a change is a proposal (sealed like the settings, with a
// masked diff) until a second person approves it; only then does it become the next numbered
// revision and the current settings. Published flow versions are pinned to the revision current
// when they were published and keep it unless an approved change is applied to running versions.
// Its parts live beside it (settings-revision-reads.ts, settings-proposals.ts,
// settings-decisions.ts); this file composes them and keeps the pins taken at publishing and the
// installation's own revisions, written outside review.
import { randomUUID } from 'node:crypto'
import type { AuditActor, AuditInput } from '../audit/audit-entries.ts'
import type { AuditRecorder } from '../audit/audit-recorder.ts'
import { settingsPins, settingsRevisions } from '../db/schema.ts'
import type { DataCipher } from '../keys/data-cipher.ts'
import { sealJson } from '../keys/sealed-json.ts'
import type { Store } from '../store/store.ts'
import { diffSettings } from './settings-diff.ts'
import { createSettingsDecisions } from './settings-decisions.ts'
import { createSettingsProposals } from './settings-proposals.ts'
import { createSettingsRevisionReads, SETTINGS_KEY, type Settings } from './settings-revision-reads.ts'
import { revisionAad } from './settings-snapshot.ts'

/** What the settings review is given: the store, its clock and cipher, and the current settings' hooks. */
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

/** Connector settings under review: proposals, a second person's decision, numbered revisions, pins. */
export function createSettingsRevisions(deps: SettingsRevisionsDeps) {
  const { store, audit, now, cipher } = deps
  const db = store.db
  const reads = createSettingsRevisionReads({ store, cipher })
  const { currentNumber, revisionValue, pending, history, pinOf, behind } = reads
  const { propose, proposeRepin } = createSettingsProposals(deps, reads)
  const { approve, reject } = createSettingsDecisions(deps, reads)

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
      value: await sealJson(cipher, 'settings', revisionAad(id), value),
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
    currentNumber,
    revisionValue,
    propose,
    approve,
    reject,
    pending,
    history,
    pinOf,
    behind,
    proposeRepin,

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
