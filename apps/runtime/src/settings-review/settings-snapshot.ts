// The connector settings as every runtime process holds them in memory: the current value, each
// numbered revision's value and the pins of published versions. They are read at every connector
// call and inbound message and while a flow is validated, so they are answered from memory,
// synchronously; they change only through review (or installation bootstrap), rarely. Whoever
// changes them publishes the `settings` topic in the same transaction, and every process (this one
// included) reads them all again: a change on one process reaches the others.
import { eq, isNotNull } from 'drizzle-orm'
import type { JsonValue } from '@carepath/dsl'
import { settings, settingsPins, settingsRevisions } from '../db/schema.ts'
import { AppError } from '../errors.ts'
import type { DataCipher } from '../keys/data-cipher.ts'
import { openJson } from '../keys/sealed-json.ts'
import type { Store } from '../store/store.ts'

type Settings = { [key: string]: JsonValue }

/** The change-feed topic of the connector settings, their revisions and pins. */
export const SETTINGS_TOPIC = 'settings'
/** The settings row holding the current connector settings, sealed and bound to it. */
export const INTEGRATIONS_KEY = 'integrations'
export const INTEGRATIONS_AAD = 'settings|integrations'
// A revision's value is bound to its row: a sealed value copied to another row does not open.
export const revisionAad = (id: string) => `settings-revision|${id}`

const isSettings = (v: JsonValue | undefined): v is Settings => typeof v === 'object' && v !== null && !Array.isArray(v)

interface Loaded {
  current: Settings
  currentNumber: number | null
  revisions: Map<number, Settings>
  pins: Map<string, number>
}

const pinKey = (flowId: string, hash: string) => `${flowId}\u0000${hash}`

async function load(store: Store, cipher: DataCipher): Promise<Loaded> {
  const [currentRow, revisionRows, pinRows] = await Promise.all([
    store.db.select().from(settings).where(eq(settings.key, INTEGRATIONS_KEY)).get(),
    store.db.select().from(settingsRevisions).where(isNotNull(settingsRevisions.number)).all(),
    store.db.select().from(settingsPins).all(),
  ])
  const stored = currentRow?.value
  const current = stored === undefined ? {} : await openJson(cipher, INTEGRATIONS_AAD, stored)
  const revisions = new Map<number, Settings>()
  let currentNumber: number | null = null
  for (const row of revisionRows) {
    if (row.number === null) continue
    const value = await openJson(cipher, revisionAad(row.id), row.value)
    revisions.set(row.number, isSettings(value) ? value : {})
    currentNumber = Math.max(currentNumber ?? row.number, row.number)
  }
  const pins = new Map(pinRows.map((row) => [pinKey(row.flowId, row.hash), row.revision]))
  return { current: isSettings(current) ? current : {}, currentNumber, revisions, pins }
}

export interface SettingsSnapshot {
  /** The current connector settings, credentials included (a copy the caller may change). */
  current(): Settings
  /** The number of the current revision, or null before the first. */
  currentNumber(): number | null
  /** A numbered revision's settings, credentials included. */
  revisionValue(number: number): Settings
  /** The revision a published version is pinned to, if any. */
  pinOf(flowId: string, hash: string): number | undefined
  /** Read everything again now (after this process changed them, before answering). */
  reload(): Promise<void>
  /** `listener` runs after each reload that follows a change (from any process). */
  onChange(listener: () => void): void
  close(): void
}

/** Read the settings once, and again whenever the `settings` topic is published. */
export async function openSettingsSnapshot(deps: {
  store: Store
  cipher: DataCipher
  onError?: (error: unknown) => void
}): Promise<SettingsSnapshot> {
  const { store, cipher } = deps
  let loaded = await load(store, cipher)
  const listeners: (() => void)[] = []
  // One read at a time; a notice arriving during one asks for another after it.
  let reading: Promise<void> | undefined
  let again = false
  function reload(): Promise<void> {
    if (reading) {
      again = true
      return reading
    }
    reading = (async () => {
      try {
        do {
          again = false
          loaded = await load(store, cipher)
        } while (again)
      } finally {
        reading = undefined
      }
      for (const listener of listeners) listener()
    })()
    return reading
  }
  const stop = store.changes.subscribe(SETTINGS_TOPIC, () => {
    reload().catch((error: unknown) => deps.onError?.(error))
  })
  return {
    current: () => structuredClone(loaded.current),
    currentNumber: () => loaded.currentNumber,
    revisionValue(number) {
      const value = loaded.revisions.get(number)
      if (!value) throw new AppError('not-found', `There is no settings revision ${number}.`, { path: 'revision' })
      return structuredClone(value)
    },
    pinOf: (flowId, hash) => loaded.pins.get(pinKey(flowId, hash)),
    reload,
    onChange: (listener) => void listeners.push(listener),
    close: stop,
  }
}
