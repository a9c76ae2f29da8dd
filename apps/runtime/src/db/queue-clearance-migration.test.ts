// Migrations 0021 (SQLite) and 0010 (PostgreSQL), which give a work queue its PHI clearance,
// against a database the previous release left: a queue named there has no clearance set (null,
// which caps nothing) and keeps its description; a clearance written afterwards reads back as the
// list of classes it is.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import type { Store } from '../store/store.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { upgradedPgStore, upgradedSqliteStore } from '../testing/upgraded-store.ts'
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
    const store = await upgradedSqliteStore(dir, 19, writeOldQueue)
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
      const store = await upgradedPgStore(database.url, dir, 8, writeOldQueue)
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
