// Migrations 0021 (SQLite) and 0010 (PostgreSQL), which give a work queue its PHI clearance,
// against a database the previous release left: a queue named there has no clearance set (null,
// which caps nothing) and keeps its description; a clearance written afterwards reads back as the
// list of classes it is.
import { eq } from 'drizzle-orm'
import { expect } from 'vitest'
import type { Store } from '../store/store.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { describeMigration } from '../testing/migration-on-both.ts'
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

describeMigration(
  {
    migration: 'the queue clearance migration',
    test: 'leaves an existing queue with no clearance set, and stores one as a list',
    before: { sqlite: 19, postgres: 8 },
    writeOld: writeOldQueue,
    check: expectMigrated,
  },
  testPostgres,
)
