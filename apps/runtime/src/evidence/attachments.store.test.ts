// Evidence attachments kept in the database, on SQLite and PostgreSQL from one suite: a file
// attached at one runtime process is listed and read back byte for byte at another, sealed at rest,
// under the size limit an admin set at either.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import type { Principal } from '../auth/auth.service.ts'
import { AppError } from '../errors.ts'
import { createDataCipher } from '../keys/data-cipher.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createAttachmentsService } from './attachments.service.ts'

const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const reviewer: Principal = { userId: 'u-reviewer', username: 'reviewer', role: 'reviewer', flowRoles: [] }
const agent: Principal = { userId: 'u-agent', username: 'agent', role: 'agent', flowRoles: ['front-desk'] }
const HASH = 'a'.repeat(64)
const review = { kind: 'review' as const, flowId: 'go-live', subject: HASH }
// The flow under review, as the flows service answers for it (its own store is another's to move).
const flows = {
  requireFlow: async (flowId: string) => {
    if (flowId !== 'go-live') throw new AppError('not-found', `No flow "${flowId}".`)
    return { id: flowId }
  },
  versionByHash: async (flowId: string, hash: string) => (flowId === 'go-live' && hash === HASH ? { hash } : undefined),
}
const CANARY = 'mrn,name\n0042,Canary Evidence-Patient\n'

describeOnEachStore('evidence attachments on the store', (backend) => {
  let opened: OpenedStore
  let clock: number
  const now = () => new Date(clock++)
  const processOn = (store: Store) =>
    createAttachmentsService({
      store,
      audit: createStoreAuditRecorder(store, keys, now),
      now,
      // Each process seals with its own cipher over its own store, under the same keys.
      cipher: createDataCipher(store, keys),
      flows,
      taskById: async () => undefined,
    })
  let a: ReturnType<typeof processOn>
  let b: ReturnType<typeof processOn>
  beforeEach(async () => {
    opened = await backend.open('attachments')
    clock = Date.parse('2026-12-05T10:00:00.000Z')
    a = processOn(opened.store)
    b = processOn(await opened.another())
  })
  afterEach(async () => {
    await opened.dispose()
  })

  it('attaches at one process, lists and reads back byte for byte at the other, sealed at rest', async () => {
    const bytes = Buffer.from(CANARY)
    const added = await a.add(review, 'mapping.csv', bytes, reviewer)
    expect(added).toMatchObject({ name: 'mapping.csv', mediaType: 'text/csv', size: bytes.byteLength })
    expect(await b.list(review, reviewer)).toEqual([added])
    const read = await b.read(added.id, reviewer)
    expect(read.bytes.equals(bytes)).toBe(true)
    const stored = JSON.stringify(await opened.store.sql.values('SELECT content FROM attachments'))
    expect(stored).not.toContain('Canary')
    expect(stored).not.toContain(bytes.toString('base64'))
    // Every download is audited, never with the file's name or content.
    const trail = (await opened.store.sql.values('SELECT record FROM audit_log ORDER BY seq')).map((r) => String(r[0]))
    expect(trail).toHaveLength(2)
    expect(trail.join('\n')).not.toContain('Canary')
    expect(trail.join('\n')).not.toContain('mapping.csv')
    expect(await verifyChainRows(auditRows(storeAuditPages(opened.store), 50), keys)).toMatchObject({ ok: true })
  })

  it('holds the size limit set at one process at the other, and refuses whom it may not concern', async () => {
    expect(await b.config()).toEqual({ maxBytes: 10 * 1024 * 1024 })
    await a.configure({ maxBytes: 2048 })
    expect(await b.config()).toEqual({ maxBytes: 2048 })
    await expect(a.configure({ maxBytes: 12 })).rejects.toThrow('maxBytes must be at least 1 KB (1024)')
    expect(await a.config()).toEqual({ maxBytes: 2048 })
    const large = Buffer.from('x,y\n'.repeat(600))
    await expect(b.add(review, 'big.csv', large, reviewer)).rejects.toThrow(
      /the largest file that can be attached is 2 KB/,
    )
    await expect(a.add(review, 'mapping.csv', Buffer.from(CANARY), agent)).rejects.toThrow(/may not see/)
    await expect(
      a.add({ ...review, subject: 'b'.repeat(64) }, 'mapping.csv', Buffer.from(CANARY), reviewer),
    ).rejects.toThrow(/has no version/)
    expect(await a.list(review, reviewer)).toEqual([])
    expect(await opened.store.sql.values('SELECT seq FROM audit_log')).toEqual([])
  })
})
