// Settings revisions on the store, on SQLite and on PostgreSQL from one suite: a change is a
// proposal until a second person approves it; "the latest revision + 1" stays one number however
// many processes approve at once; published versions keep their pinned revision until a re-pin.
import type { JsonValue } from '@carepath/dsl'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import { AppError } from '../errors.ts'
import { PLAINTEXT } from '../keys/data-cipher.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import { writeSetting } from '../review/stored-setting.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createSettingsRevisions } from './settings-revisions.service.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
let tick = Date.parse('2026-03-01T09:00:00.000Z')
const now = () => new Date(tick++)
const developer = { who: 'dev', role: 'developer' }
const admin = { who: 'admin', role: 'admin' }
const admin2 = { who: 'admin2', role: 'admin' }
const HASH = 'a'.repeat(64)

type Settings = { [key: string]: JsonValue }

/** The revisions as one runtime process builds them, and the current settings as it last applied them. */
function revisionsOver(store: Store) {
  const applied: Settings[] = []
  const current = () => applied.at(-1) ?? {}
  const revisions = createSettingsRevisions({
    store,
    audit: createStoreAuditRecorder(store, keys, now),
    now,
    cipher: PLAINTEXT,
    current,
    check: (value) => {
      if ('typo' in value) throw new AppError('bad-input', '"typo" is not a setting of this installation.')
    },
    write: (value) => writeSetting(store, 'integrations', value),
    applied: (value) => applied.push(value),
    changed: async () => {},
  })
  return { revisions, applied }
}

async function refusal(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`)
  return error
}

describeOnEachStore('settings revisions on the store', (backend) => {
  let opened: OpenedStore
  let store: Store
  beforeEach(async () => {
    opened = await backend.open('settings')
    store = opened.store
  })
  afterEach(() => opened.dispose())
  const verify = () => verifyChainRows(auditRows(storeAuditPages(store), 50), keys)
  const actions = async () =>
    (await store.sql.values('SELECT record FROM audit_log ORDER BY seq')).map(
      (row) => (JSON.parse(String(row[0])) as { action: string }).action,
    )

  it('applies a proposal only when another person approves it, as the next revision', async () => {
    const { revisions, applied } = revisionsOver(store)
    const proposal = {
      settings: { fhir: { baseUrl: 'https://fhir.example/r4' } },
      reason: 'New server',
      applyToRunning: false,
    }
    expect((await refusal(revisions.propose({ ...proposal, settings: { typo: 1 } }, developer))).code).toBe('bad-input')
    const proposed = await revisions.propose(proposal, developer)
    expect(proposed).toMatchObject({ status: 'proposed', number: null, baseNumber: null })
    expect((await revisions.pending()).map((p) => p.id)).toEqual([proposed.id])
    expect((await refusal(revisions.approve(proposed.id, '', developer))).code).toBe('forbidden')
    expect(await revisions.currentNumber()).toBeNull()

    const approved = await revisions.approve(proposed.id, 'checked the endpoint', admin)
    expect(approved).toMatchObject({ status: 'applied', number: 1, decidedBy: 'admin' })
    expect(await revisions.currentNumber()).toBe(1)
    expect(await revisions.revisionValue(1)).toEqual(proposal.settings)
    expect(applied).toEqual([proposal.settings])
    expect(await store.sql.get('SELECT value FROM settings WHERE key = ?', ['integrations'])).toEqual({
      value: JSON.stringify(proposal.settings),
    })
    expect((await revisions.history()).map((r) => r.number)).toEqual([1])
    expect((await refusal(revisions.reject(proposed.id, 'too late', admin2))).code).toBe('conflict')
    expect(await actions()).toEqual(['settings.propose', 'settings.approve', 'settings.apply'])
    expect(await verify()).toMatchObject({ ok: true, checked: 3 })
  })

  it('applies one of two proposals approved at once from two processes, and refuses the other', async () => {
    const first = revisionsOver(store)
    const second = revisionsOver(await opened.another())
    const a = await first.revisions.propose(
      { settings: { fhir: { baseUrl: 'https://a.example' } }, reason: 'A', applyToRunning: false },
      developer,
    )
    const b = await second.revisions.propose(
      { settings: { fhir: { baseUrl: 'https://b.example' } }, reason: 'B', applyToRunning: false },
      { who: 'dev2', role: 'developer' },
    )
    const outcomes = await Promise.allSettled([
      first.revisions.approve(a.id, '', admin),
      second.revisions.approve(b.id, '', admin2),
    ])
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []))
    expect(lost[0]).toBeInstanceOf(AppError)
    expect((lost[0] as AppError).code).toBe('conflict')
    expect(await first.revisions.currentNumber()).toBe(1)
    expect((await first.revisions.history()).map((r) => r.number)).toEqual([1])
    expect(await verify()).toMatchObject({ ok: true })
  })

  it('pins a published version to its revision until a reviewed re-pin moves it', async () => {
    const { revisions } = revisionsOver(store)
    const propose = (url: string, by = developer) =>
      revisions.propose({ settings: { fhir: { baseUrl: url } }, reason: url, applyToRunning: false }, by)
    await revisions.approve((await propose('https://one.example')).id, '', admin)
    await revisions.pinOnPublish('intake-check', HASH)
    // Published again (a rollback): it keeps the revision it was pinned to.
    await revisions.pinOnPublish('intake-check', HASH)
    await revisions.approve((await propose('https://two.example')).id, '', admin)
    expect(await revisions.pinOf('intake-check', HASH)).toBe(1)
    expect(await revisions.behind()).toEqual([{ flowId: 'intake-check', hash: HASH, revision: 1 }])

    const repin = await revisions.proposeRepin({ flowId: 'intake-check', hash: HASH, reason: 'Use two' }, developer)
    expect(repin).toMatchObject({ kind: 'repin', pin: { flowId: 'intake-check', hash: HASH } })
    await revisions.approve(repin.id, 'ok', admin2)
    expect(await revisions.pinOf('intake-check', HASH)).toBe(2)
    expect(await revisions.behind()).toEqual([])
    expect(await revisions.currentNumber()).toBe(2)
    expect(await verify()).toMatchObject({ ok: true })
  })
})
