// The PHI map's persistence on the store, on SQLite and on PostgreSQL from one suite: maps of
// stored versions, the diff of a draft, the rollup, and the audited quarterly review.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { builtinPlugin, composeCatalog } from '@carepath/catalog'
import { flowDocumentSchema, type FlowDocument } from '@carepath/dsl'
import { auditRows, verifyChainRows } from '../audit/audit-chain.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../audit/audit-recorder.ts'
import type { Principal } from '../auth/auth.service.ts'
import { createFlowsService } from '../flows/flows.service.ts'
import { generateKeyFile, keyStoreOf } from '../keys/key-store.ts'
import type { Store } from '../store/store.ts'
import { describeOnEachStore, type OpenedStore } from '../testing/test-stores.ts'
import { createPhiMapService } from './phi-map.service.ts'

const { registry } = composeCatalog([builtinPlugin])
const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
let tick = Date.parse('2026-03-01T09:00:00.000Z')
const now = () => new Date(tick++)
const analyst: Principal = { userId: 'u-analyst', username: 'analyst', role: 'analyst', flowRoles: [] }
const examples = join(import.meta.dirname, '../../../../examples')
const discharge = (): FlowDocument =>
  flowDocumentSchema.parse(JSON.parse(readFileSync(join(examples, 'discharge-follow-up.flow.json'), 'utf8')))

describeOnEachStore('the PHI map on the store', (backend) => {
  let opened: OpenedStore
  let store: Store
  beforeEach(async () => {
    opened = await backend.open('phi-map')
    store = opened.store
  })
  afterEach(() => opened.dispose())

  it('maps stored versions, rolls them up, and records the quarterly review', async () => {
    const audit = createStoreAuditRecorder(store, keys, now)
    const flows = createFlowsService({ store, audit, now, registry })
    const phiMaps = createPhiMapService({
      store,
      audit,
      now,
      registry,
      flows,
      settings: () => ({}),
      clearances: async () => new Map(),
    })
    expect(await phiMaps.reviewStatus()).toMatchObject({ review: null, overdue: false })

    await flows.create(discharge(), analyst)
    const draft = await phiMaps.map('discharge-follow-up')
    expect(draft).toMatchObject({ flowId: 'discharge-follow-up', revision: 1, status: 'draft' })
    expect(draft.map.touchpoints.some((t) => t.kind === 'sent')).toBe(true)
    await expect(phiMaps.map('discharge-follow-up', 7)).rejects.toThrow(/no version 7 \(versions: 1\)/)
    // Nothing published: everything the draft sends is new.
    const diff = await phiMaps.diff('discharge-follow-up')
    expect(diff).toMatchObject({ revision: 1, publishedRevision: null })
    expect(diff.added.length).toBeGreaterThan(0)

    const rollup = await phiMaps.rollup()
    expect(rollup.flows.map((f) => [f.flowId, f.revision, f.published])).toEqual([['discharge-follow-up', 1, false]])
    expect(rollup).toMatchObject({ review: null, overdue: true })

    const reviewed = await phiMaps.markReviewed({ who: 'auditor', role: 'auditor' })
    expect(await phiMaps.review()).toEqual(reviewed)
    // Reviewed again the next day: the setting is replaced, not duplicated.
    await phiMaps.markReviewed({ who: 'compliance', role: 'compliance' })
    expect(await phiMaps.reviewStatus()).toMatchObject({ review: { reviewedBy: 'compliance' }, overdue: false })
    const actions = (await store.sql.values('SELECT record FROM audit_log ORDER BY seq')).map(
      (row) => (JSON.parse(String(row[0])) as { action: string }).action,
    )
    expect(actions).toEqual(['flow.create', 'phi-map.review', 'phi-map.review'])
    expect(await verifyChainRows(auditRows(storeAuditPages(store), 50), keys)).toMatchObject({ ok: true, checked: 3 })
  })
})
