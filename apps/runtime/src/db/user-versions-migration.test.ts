// Migrations 0022 (SQLite) and 0011 (PostgreSQL), which give a person's access a version, against a
// database the previous release left: a person added there is at the version of their creation,
// changed by no one known, so the admin screen can name it as the base of its first change.
import { expect } from 'vitest'
import type { Store } from '../store/store.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { describeMigration } from '../testing/migration-on-both.ts'
import { users } from './schema.ts'

const testPostgres = await findTestPostgres()
const CREATED = '2026-11-22T11:00:00.000Z'

/** A person as the previous release stored them: no version columns. */
async function writeOldUser(store: Store): Promise<void> {
  await store.sql.run(
    'INSERT INTO users (id, username, role, password_hash, flow_roles, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ['u-pat', 'pat', 'agent', 'not a hash', '["front-desk"]', CREATED],
  )
}

async function expectMigrated(store: Store): Promise<void> {
  const rows = await store.db
    .select({ username: users.username, flowRoles: users.flowRoles, updatedAt: users.updatedAt, by: users.updatedBy })
    .from(users)
    .all()
  expect(rows).toEqual([{ username: 'pat', flowRoles: ['front-desk'], updatedAt: CREATED, by: null }])
}

describeMigration(
  {
    migration: 'the person version migration',
    test: 'puts an existing person at the version of their creation',
    before: { sqlite: 20, postgres: 9 },
    writeOld: writeOldUser,
    check: expectMigrated,
  },
  testPostgres,
)
