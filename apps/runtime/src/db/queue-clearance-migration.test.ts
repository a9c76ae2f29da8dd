// Migrations 0021 (SQLite) and 0010 (PostgreSQL), which give a work queue its PHI clearance,
// against a database the previous release left: a queue named there has no clearance set (null,
// which caps nothing) and keeps its description; a clearance written afterwards reads back as the
// list of classes it is.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { eq } from 'drizzle-orm'
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3'
import { migrate as sqliteMigrate } from 'drizzle-orm/better-sqlite3/migrator'
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres'
import { migrate as pgMigrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { openPgStore, openSqliteStore, sqliteStore } from '../store/open-store.ts'
import type { Store } from '../store/store.ts'
import { migrationsUpTo } from '../testing/migrations-up-to.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { connectionConfig } from './open-pg.ts'
import { queues } from './schema.ts'

const testPostgres = await findTestPostgres()

/** A queue as the previous release stored it: a name and a description, no clearance column. */
async function writeOldQueue(store: Store): Promise<void> {
  await store.sql.run('INSERT INTO queues (name, description, updated_at, updated_by) VALUES (?, ?, ?, ?)', [
    'pharmacy',
    'Refill checks',
    '2026-11-22T11:00:00.000Z',
    'admin',
  ])
}

async function expectMigrated(store: Store): Promise<void> {
  const before = await store.db.select().from(queues).all()
  expect(before).toEqual([
    {
      name: 'pharmacy',
      description: 'Refill checks',
      phi: null,
      updatedAt: '2026-11-22T11:00:00.000Z',
      updatedBy: 'admin',
    },
  ])
  await store.db
    .update(queues)
    .set({ phi: ['demographic', 'coverage'] })
    .where(eq(queues.name, 'pharmacy'))
  expect((await store.db.select({ phi: queues.phi }).from(queues).all())[0]?.phi).toEqual(['demographic', 'coverage'])
}

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('the queue clearance migration on SQLite', () => {
  it('leaves an existing queue with no clearance set, and stores one as a list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-clearance-'))
    dirs.push(dir)
    const file = join(dir, 'carepath.db')
    const old = new Database(file)
    sqliteMigrate(sqliteDrizzle(old), { migrationsFolder: migrationsUpTo(dir, 19) })
    await writeOldQueue(sqliteStore(old))
    old.close()

    const store = openSqliteStore(file)
    try {
      await expectMigrated(store)
    } finally {
      await store.close()
    }
  })
})

describe.skipIf(!testPostgres)('the queue clearance migration on PostgreSQL', () => {
  it('leaves an existing queue with no clearance set, and stores one as a list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-clearance-'))
    dirs.push(dir)
    const database = await testPostgres!.createDatabase('clearance')
    try {
      const pool = new pg.Pool(connectionConfig(database.url))
      await pgMigrate(pgDrizzle(pool), { migrationsFolder: migrationsUpTo(dir, 8, 'postgres') })
      await pool.end()
      const old = await openPgStore(database.url, { migrate: false })
      await writeOldQueue(old)
      await old.close()

      const store = await openPgStore(database.url)
      try {
        await expectMigrated(store)
      } finally {
        await store.close()
      }
    } finally {
      await database.drop()
    }
  })
})
