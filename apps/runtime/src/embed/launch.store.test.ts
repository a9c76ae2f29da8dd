// Launch tokens kept in the database, on SQLite and PostgreSQL from one suite: a token issued at
// one runtime process is exchanged once, whichever process (or two at once) the view reaches.
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import { createAuthService } from '../auth/auth.service.ts'
import { createMfaService } from '../auth/mfa.service.ts'
import { AppError } from '../errors.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createLaunchService, REFUSALS } from './launch.service.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const launchKey = randomBytes(32)
const admin = { who: 'admin', role: 'admin' }
const CRM = { name: 'CRM desktop', audience: 'crm-desktop', origins: ['https://crm.example.org'] }

describeOnEachStore('launch tokens on the store', (backend) => {
  let opened: OpenedStore
  let clock: number
  const now = () => new Date(clock)
  const processOn = (store: Store) => {
    const audit = createStoreAuditRecorder(store, keys, now)
    const mfa = createMfaService({ store, audit, now, keys })
    const auth = createAuthService(store, audit, now, { idleMs: 900_000, absoluteMs: 43_200_000 }, mfa)
    return { auth, launch: createLaunchService({ store, audit, auth, now, key: launchKey }) }
  }
  let a: ReturnType<typeof processOn>
  let b: ReturnType<typeof processOn>
  beforeEach(async () => {
    opened = await backend.open('launch')
    clock = Date.parse('2026-12-05T10:00:00.000Z')
    a = processOn(opened.store)
    b = processOn(await opened.another())
    await a.auth.addUser({ username: 'agent', password: 'an agent password', role: 'agent' }, admin)
  })
  afterEach(() => opened.dispose())

  it('registers a host at one process that the other frames for, and changes it in place', async () => {
    await a.launch.saveHostApp(CRM, admin)
    expect(await b.launch.frameOrigins('crm-desktop')).toEqual(CRM.origins)
    expect(await b.launch.frameOrigins('unknown')).toEqual([])
    const changed = await b.launch.saveHostApp({ ...CRM, origins: ['https://crm2.example.org'] }, admin)
    expect(await a.launch.listHostApps()).toEqual([{ ...changed, origins: ['https://crm2.example.org'] }])
  })

  it('exchanges a token once when two processes race for it, and audits the replay', async () => {
    await a.launch.saveHostApp(CRM, admin)
    const issued = await a.launch.issue(
      { host: 'crm-desktop', username: 'agent', patient: 'Patient/p-1', context: {}, ttlSeconds: 60 },
      admin,
    )
    const outcomes = await Promise.all(
      [a, b].map((p) =>
        p.launch.exchange(issued.token, 'crm-desktop').then(
          (launched) => launched.session.token,
          (e: unknown) => (e instanceof AppError ? e.message : 'THROWN'),
        ),
      ),
    )
    const sessions = outcomes.filter((o) => o !== REFUSALS.replayed)
    expect(outcomes.filter((o) => o === REFUSALS.replayed)).toHaveLength(1)
    expect(sessions).toHaveLength(1)
    expect(await b.auth.authenticate(sessions[0]!)).toMatchObject({ username: 'agent', role: 'agent' })
    // Later still: refused at either process.
    await expect(b.launch.exchange(issued.token, 'crm-desktop')).rejects.toThrow(REFUSALS.replayed)
    const trail = (await opened.store.sql.values('SELECT record FROM audit_log ORDER BY seq')).map((r) => String(r[0]))
    expect(trail.filter((r) => r.includes('"launch.exchange"') && r.includes('"replayed"'))).toHaveLength(2)
    expect(trail.join('\n')).not.toContain('Patient/p-1')
    expect(await verifyChainRows(auditRows(storeAuditPages(opened.store), 50), keys)).toMatchObject({ ok: true })
  })

  it('refuses an expired token and an unknown host at any process', async () => {
    await b.launch.saveHostApp(CRM, admin)
    const issued = await a.launch.issue(
      { host: 'crm-desktop', username: 'agent', patient: 'Patient/p-1', context: {}, ttlSeconds: 30 },
      admin,
    )
    await expect(a.launch.exchange(issued.token, 'other-host')).rejects.toThrow(REFUSALS['unknown-host'])
    clock += 31_000
    await expect(b.launch.exchange(issued.token, 'crm-desktop')).rejects.toThrow(REFUSALS.expired)
  })
})
