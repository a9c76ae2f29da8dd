// Audit appends per second on PostgreSQL with 1 and 3 concurrent writers (each writer its own
// connection pool, as a runtime process would be), beside SQLite's appender in one process. Every
// PostgreSQL append takes the chain's advisory lock, so writers queue on it: the figure shows what
// one serialised chain costs when several processes share it. Each append is its own transaction
// (a commit each: PostgreSQL's default synchronous_commit, SQLite in WAL with synchronous=NORMAL).
// Figures are printed with the load average, never asserted.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { auditRows, verifyChainRows } from '../apps/runtime/src/audit/audit-chain.ts'
import { fileAnchor } from '../apps/runtime/src/audit/audit-checkpoints.ts'
import { loggedIn } from '../apps/runtime/src/audit/audit-entries.ts'
import { createAuditService } from '../apps/runtime/src/audit/audit.service.ts'
import { createStoreAuditRecorder, storeAuditPages } from '../apps/runtime/src/audit/audit-recorder.ts'
import { openDb } from '../apps/runtime/src/db/open-db.ts'
import { generateKeyFile, keyStoreOf } from '../apps/runtime/src/keys/key-store.ts'
import { openPgStore, sqliteStore } from '../apps/runtime/src/store/open-store.ts'
import type { Store } from '../apps/runtime/src/store/store.ts'
import { findTestPostgres } from '../apps/runtime/src/testing/test-postgres.ts'
import { loadAverage } from './load.ts'

const PER_WRITER = Number(process.env.PG_AUDIT_BENCH_APPENDS ?? 1500)
const keys = keyStoreOf(generateKeyFile({ legacyAuditThrough: 0 }))
const now = () => new Date()
const entry = (writer: number) => loggedIn({ who: `writer-${writer}`, role: 'agent' })

async function sqliteAppendsPerSecond(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'carepath-audit-bench-'))
  try {
    const db = openDb(join(dir, 'carepath.db'))
    const audit = createAuditService(sqliteStore(db.$client), now, {
      keys,
      anchor: fileAnchor(join(dir, 'anchor.jsonl')),
      sqlite: db.$client,
    })
    const t0 = performance.now()
    for (let i = 0; i < PER_WRITER; i++) await audit.record(entry(0))
    const seconds = (performance.now() - t0) / 1000
    await audit.close()
    db.$client.close()
    return PER_WRITER / seconds
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function pgAppendsPerSecond(stores: Store[]): Promise<number> {
  const t0 = performance.now()
  await Promise.all(
    stores.map(async (store, w) => {
      const recorder = createStoreAuditRecorder(store, keys, now)
      for (let i = 0; i < PER_WRITER; i++) await recorder.record(entry(w))
    }),
  )
  return (stores.length * PER_WRITER) / ((performance.now() - t0) / 1000)
}

async function main(): Promise<void> {
  console.log(`load average before: ${loadAverage()}`)
  const lite = await sqliteAppendsPerSecond()
  console.log(`SQLite, 1 writer:       ${lite.toFixed(0).padStart(6)} appends/s   (load ${loadAverage()})`)
  const server = await findTestPostgres()
  if (!server) {
    console.log('PostgreSQL: none reachable (set CAREPATH_TEST_DATABASE_URL); its figures were not taken.')
    return
  }
  for (const writers of [1, 3]) {
    const database = await server.createDatabase('audit_bench')
    const stores: Store[] = []
    try {
      for (let i = 0; i < writers; i++) stores.push(await openPgStore(database.url, { max: 1 }))
      const rate = await pgAppendsPerSecond(stores)
      const verdict = await verifyChainRows(auditRows(storeAuditPages(stores[0]!)), keys)
      console.log(
        `PostgreSQL, ${writers} writer${writers === 1 ? ': ' : 's:'}  ${rate.toFixed(0).padStart(6)} appends/s   (load ${loadAverage()}; chain ${verdict.ok ? 'verifies' : 'BROKEN'}, ${verdict.checked} records)`,
      )
    } finally {
      for (const store of stores) await store.close()
      await database.drop()
    }
  }
}

await main()
