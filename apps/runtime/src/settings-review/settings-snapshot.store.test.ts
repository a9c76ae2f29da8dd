import { afterEach, beforeEach, expect, it } from 'vitest'
import { settingsPins, settingsRevisions } from '../db/schema.ts'
import { createDataCipher } from '../keys/data-cipher.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import { sealJson } from '../keys/sealed-json.ts'
import { writeSetting } from '../review/stored-setting.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import {
  INTEGRATIONS_AAD,
  INTEGRATIONS_KEY,
  openSettingsSnapshot,
  revisionAad,
  SETTINGS_TOPIC,
  type SettingsSnapshot,
} from './settings-snapshot.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const payer = { payer: { baseUrl: 'https://payer.example.test', apiKey: 'secret-key-1' } }

/** What an approval writes: the revision, the current settings, a pin; and the notice. */
async function approve(store: Store, number: number, value: typeof payer) {
  const cipher = createDataCipher(store, keys)
  await store.transaction(async () => {
    const id = `rev-${number}`
    await store.db.insert(settingsRevisions).values({
      id,
      number,
      status: 'applied',
      kind: 'reviewed',
      baseNumber: number - 1 || null,
      value: await sealJson(cipher, 'settings', revisionAad(id), value),
      diff: [],
      applyToRunning: false,
      reason: 'test',
      proposedBy: 'ada',
      proposedAt: 1,
      decidedBy: 'grace',
      decidedAt: 2,
      decisionNote: null,
    })
    await writeSetting(store, INTEGRATIONS_KEY, await sealJson(cipher, 'settings', INTEGRATIONS_AAD, value))
    await store.db.insert(settingsPins).values({ flowId: 'intake', hash: `h${number}`, revision: number, pinnedAt: 3 })
    await store.changes.publish(SETTINGS_TOPIC)
  })
}

describeOnEachStore('settings held in memory by every process', (backend) => {
  let opened: OpenedStore
  const snapshots: SettingsSnapshot[] = []
  beforeEach(async () => {
    opened = await backend.open('settings-snapshot')
  })
  afterEach(async () => {
    for (const snapshot of snapshots.splice(0)) snapshot.close()
    await opened.dispose()
  })
  const snapshotOn = async (store: Store) => {
    const snapshot = await openSettingsSnapshot({ store, cipher: createDataCipher(store, keys) })
    snapshots.push(snapshot)
    return snapshot
  }

  it('starts empty, and after another process approves a change holds its value, number and pin', async () => {
    const other = await opened.another()
    const mine = await snapshotOn(other)
    await other.changes.ready()
    expect([mine.current(), mine.currentNumber(), mine.pinOf('intake', 'h1')]).toEqual([{}, null, undefined])
    const changed = new Promise<void>((resolve) => mine.onChange(resolve))
    await approve(opened.store, 1, payer)
    await changed
    expect(mine.current()).toEqual(payer)
    expect(mine.currentNumber()).toBe(1)
    expect(mine.revisionValue(1)).toEqual(payer)
    expect(mine.pinOf('intake', 'h1')).toBe(1)
    expect(() => mine.revisionValue(2)).toThrow('There is no settings revision 2.')
  })

  it('hands out copies: a caller changing one does not change what others read', async () => {
    await approve(opened.store, 1, payer)
    const mine = await snapshotOn(opened.store)
    const copy = mine.current()
    ;(copy['payer'] as { apiKey: string }).apiKey = 'changed'
    expect(mine.current()).toEqual(payer)
  })
})
