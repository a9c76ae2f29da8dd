// What the store interface costs per statement on SQLite, beside the synchronous calls the
// services make today: a prepared better-sqlite3 statement, drizzle over better-sqlite3, then the
// same work through the store's executor (`store.sql`, a settled promise per call) and through
// drizzle over it (`store.db`), each inside one transaction per 100 statements as the group
// commit does. The drizzle rows read with its query API (`findFirst`), which builds its SQL on
// every call: the hot paths use prepared text through `store.sql`. The same through the store on PostgreSQL when a server answers. Figures are
// printed with the load average, never asserted.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { openDb } from '../apps/runtime/src/db/open-db.ts'
import { settings } from '../apps/runtime/src/db/schema.ts'
import { openPgStore, sqliteStore } from '../apps/runtime/src/store/open-store.ts'
import type { Store } from '../apps/runtime/src/store/store.ts'
import { findTestPostgres } from '../apps/runtime/src/testing/test-postgres.ts'
import { loadAverage } from './load.ts'

const N = Number(process.env.STORE_BENCH_N ?? 20_000)
const BATCH = 100

function report(name: string, ms: number, ops: number, base?: number): number {
  const us = (ms * 1000) / ops
  const ratio = base ? `  (${(us / base).toFixed(2)}× the prepared statement)` : ''
  console.log(`${name.padEnd(50)} ${us.toFixed(2).padStart(7)} µs per insert + read${ratio}   (load ${loadAverage()})`)
  return us
}

async function throughStore(store: Store, viaDrizzle: boolean, prefix: string): Promise<number> {
  const t0 = performance.now()
  for (let b = 0; b < N / BATCH; b++)
    await store.transaction(async () => {
      for (let i = 0; i < BATCH; i++) {
        const key = `${prefix}${b * BATCH + i}`
        if (viaDrizzle) {
          await store.db.insert(settings).values({ key, value: i })
          await store.db.query.settings.findFirst({ where: (row, { eq }) => eq(row.key, key) })
        } else {
          await store.sql.run('INSERT INTO settings (key, value) VALUES (?, ?)', [key, String(i)])
          await store.sql.get('SELECT key, value FROM settings WHERE key = ?', [key])
        }
      }
    })
  return performance.now() - t0
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'carepath-store-bench-'))
  try {
    const db = openDb(join(dir, 'carepath.db'))
    const sqlite = db.$client
    const insert = sqlite.prepare('INSERT INTO settings (key, value) VALUES (?, ?)')
    const read = sqlite.prepare('SELECT key, value FROM settings WHERE key = ?')
    const prepared = sqlite.transaction((b: number) => {
      for (let i = 0; i < BATCH; i++) {
        insert.run(`p${b * BATCH + i}`, String(i))
        read.get(`p${b * BATCH + i}`)
      }
    })
    const drizzleSync = sqlite.transaction((b: number) => {
      for (let i = 0; i < BATCH; i++) {
        db.insert(settings)
          .values({ key: `d${b * BATCH + i}`, value: i })
          .run()
        db.query.settings.findFirst({ where: (row, { eq }) => eq(row.key, `d${b * BATCH + i}`) }).sync()
      }
    })
    console.log(`load average before: ${loadAverage()}; ${N} inserts and reads, ${BATCH} per transaction`)
    let t0 = performance.now()
    for (let b = 0; b < N / BATCH; b++) prepared(b)
    const base = report('SQLite, prepared better-sqlite3 statements', performance.now() - t0, N)
    t0 = performance.now()
    for (let b = 0; b < N / BATCH; b++) drizzleSync(b)
    report('SQLite, drizzle over better-sqlite3', performance.now() - t0, N, base)
    const store = sqliteStore(sqlite)
    report('SQLite, store.sql (the executor)', await throughStore(store, false, 's'), N, base)
    report('SQLite, store.db (drizzle over the executor)', await throughStore(store, true, 'z'), N, base)
    await store.close()

    const server = await findTestPostgres()
    if (!server) {
      console.log('PostgreSQL: none reachable (set CAREPATH_TEST_DATABASE_URL); its figures were not taken.')
      return
    }
    const database = await server.createDatabase('store_bench')
    const pg = await openPgStore(database.url, { max: 2 })
    try {
      report('PostgreSQL, store.sql (the executor)', await throughStore(pg, false, 's'), N, base)
      report('PostgreSQL, store.db (drizzle over the executor)', await throughStore(pg, true, 'z'), N, base)
    } finally {
      await pg.close()
      await database.drop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
