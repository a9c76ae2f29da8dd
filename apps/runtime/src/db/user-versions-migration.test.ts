// Migrations 0022 (SQLite) and 0011 (PostgreSQL), which give a person's access a version, against a
// database the previous release left: a person added there is at the version of their creation,
// changed by no one known, so the admin screen can name it as the base of its first change.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Store } from '../store/store.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { upgradedPgStore, upgradedSqliteStore } from '../testing/upgraded-store.ts'
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

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('the person version migration on SQLite', () => {
  it('puts an existing person at the version of their creation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'user-versions-'))
    dirs.push(dir)
    const store = await upgradedSqliteStore(dir, 20, writeOldUser)
    try {
      await expectMigrated(store)
    } finally {
      await store.close()
    }
  })
})

describe.skipIf(!testPostgres)('the person version migration on PostgreSQL', () => {
  it('puts an existing person at the version of their creation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'user-versions-'))
    dirs.push(dir)
    const database = await testPostgres!.createDatabase('user_versions')
    try {
      const store = await upgradedPgStore(database.url, dir, 9, writeOldUser)
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
