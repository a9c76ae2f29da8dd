// One migration test on both databases: a store this release opens over what an earlier release
// left (see upgraded-store.ts), checked the same way on SQLite and, when a test server is
// reachable, on PostgreSQL, each in a temporary folder (and database) of its own.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'vitest'
import type { Store } from '../store/store.ts'
import type { TestPostgres } from './test-postgres.ts'
import { upgradedPgStore, upgradedSqliteStore, type WriteOld } from './upgraded-store.ts'

export interface MigrationTest {
  /** The migration in words, named by each database's describe block ("… on SQLite"). */
  migration: string
  /** What the test checks. */
  test: string
  /** The journal index of the last migration the earlier release had applied, per database. */
  before: { sqlite: number; postgres: number }
  /** The earlier release's rows. */
  writeOld: WriteOld
  check(store: Store): Promise<void>
}

async function checkedAndClosed(store: Store, check: MigrationTest['check']): Promise<void> {
  try {
    await check(store)
  } finally {
    await store.close()
  }
}

export function describeMigration(spec: MigrationTest, testPostgres: TestPostgres | undefined): void {
  const folder = () => mkdtempSync(join(tmpdir(), 'carepath-migration-'))
  describe(`${spec.migration} on SQLite`, () => {
    it(spec.test, async () => {
      const dir = folder()
      try {
        await checkedAndClosed(await upgradedSqliteStore(dir, spec.before.sqlite, spec.writeOld), spec.check)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
  describe.skipIf(!testPostgres)(`${spec.migration} on PostgreSQL`, () => {
    it(spec.test, async () => {
      const dir = folder()
      const database = await testPostgres!.createDatabase('migration')
      try {
        await checkedAndClosed(
          await upgradedPgStore(database.url, dir, spec.before.postgres, spec.writeOld),
          spec.check,
        )
      } finally {
        await database.drop()
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
}
