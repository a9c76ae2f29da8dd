// The runtime's store-level tests run on both databases from one suite: `describeOnEachStore`
// declares it once on SQLite (a temp file) and once on PostgreSQL (a database of its own on the
// test server, dropped after). With no PostgreSQL server reachable the PostgreSQL half is
// skipped, and the test summary (scripts/test-all.mjs) counts it as not run: it recognises these
// tests by their suite title ending "on PostgreSQL".
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'vitest'
import { openPgStore, openSqliteStore } from '../store/open-store.ts'
import type { Store } from '../store/store.ts'
import { findTestPostgres } from './test-postgres.ts'

const testPostgres = await findTestPostgres()

export interface OpenedStore {
  store: Store
  /** Another store on the same database, as a second runtime process would open it (on SQLite, the same one). */
  another(): Promise<Store>
  /** Close the stores and remove their database. */
  dispose(): Promise<void>
}

export interface StoreBackend {
  name: 'SQLite' | 'PostgreSQL'
  /** A new, empty, migrated database; `label` names it for whoever looks at the server. */
  open(label: string): Promise<OpenedStore>
}

const sqliteBackend: StoreBackend = {
  name: 'SQLite',
  async open(label) {
    const dir = mkdtempSync(join(tmpdir(), `carepath-${label.replace(/[^a-z0-9]/gi, '-')}-`))
    const store = openSqliteStore(join(dir, 'carepath.db'))
    return {
      store,
      // SQLite serves one process over one connection: a second connection in this process would
      // block the thread waiting for the first one's lock. "Another process" is the same store.
      another: async () => store,
      async dispose() {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  },
}

const postgresBackend: StoreBackend = {
  name: 'PostgreSQL',
  async open(label) {
    if (!testPostgres) throw new Error('No PostgreSQL server is reachable for the tests.')
    const database = await testPostgres.createDatabase(label)
    const stores = [await openPgStore(database.url, { max: 4 })]
    return {
      store: stores[0] as Store,
      async another() {
        const store = await openPgStore(database.url, { max: 4 })
        stores.push(store)
        return store
      },
      async dispose() {
        for (const store of stores) await store.close()
        await database.drop()
      },
    }
  },
}

/** `body` declared as one suite per database: "TITLE on SQLite" and "TITLE on PostgreSQL". */
export function describeOnEachStore(title: string, body: (backend: StoreBackend) => void): void {
  describe(`${title} on SQLite`, () => body(sqliteBackend))
  describe.skipIf(!testPostgres)(`${title} on PostgreSQL`, () => body(postgresBackend))
}
