import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { seedDemo } from '../demo/demo-seed.ts'
import { connectionConfig } from '../db/open-pg.ts'
import { startServer } from '../server.ts'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { CliError } from './cli-io.ts'
import { run } from './db.command.ts'

const testPostgres = await findTestPostgres()
const examples = join(import.meta.dirname, '..', '..', '..', '..', 'examples')

/** Run `carepath db …` in-process; what it printed and its exit code, or the CliError it refused with. */
async function carepathDb(args: string[]): Promise<{ code: number; out: string } | { refused: string }> {
  const lines: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
  try {
    return { code: await run(args), out: lines.join('\n') }
  } catch (error) {
    if (error instanceof CliError) return { refused: error.message }
    throw error
  } finally {
    log.mockRestore()
  }
}

describe('carepath db copy, refusals before anything is read', () => {
  it('names a bad URL and a missing source in a sentence', async () => {
    expect(await carepathDb(['copy', '--from', '/nonexistent', '--to', 'mysql://x/y'])).toEqual({
      refused: 'mysql://x/y is not a PostgreSQL URL (it must start with postgres:// or postgresql://).',
    })
    expect(await carepathDb(['copy', '--from', '/nonexistent', '--to', 'postgres://h/db'])).toEqual({
      refused: 'no Carepath database at /nonexistent/carepath.db',
    })
  })
})

describe.skipIf(!testPostgres)('carepath db copy from a demo installation', () => {
  let dir: string
  let target: { url: string; drop(): Promise<void> }
  let client: pg.Client
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carepath-copy-'))
    const server = await startServer({
      port: 0,
      dataDir: dir,
      timerIntervalMs: 0,
      log: () => {},
      beforeReady: async (runtime) => void (await seedDemo(runtime, examples, 'demo password for the copy')),
    })
    await server.close()
    target = await testPostgres!.createDatabase('copy')
    client = new pg.Client(connectionConfig(target.url))
    await client.connect()
  })
  afterAll(async () => {
    await client?.end()
    await target?.drop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('copies every table, values byte for byte, and the audit chain verifies on PostgreSQL', async () => {
    const result = await carepathDb(['copy', '--from', dir, '--to', target.url])
    expect(result).toMatchObject({ code: 0 })
    const out = 'out' in result ? result.out : ''
    expect(out).toMatch(/^Copied .*carepath\.db into postgres:/)
    expect(out).toMatch(/Audit chain verifies on PostgreSQL: \d+ records, the same head as the SQLite trail\./)

    const sqlite = new Database(join(dir, 'carepath.db'), { readonly: true })
    try {
      const tables = sqlite
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
        )
        .all()
        .map((t) => t.name)
      for (const table of tables) {
        const lite = sqlite.prepare<[], { n: number }>(`SELECT count(*) AS n FROM "${table}"`).get()!.n
        const copied = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)
        expect({ table, rows: Number(copied.rows[0]!.n) }).toEqual({ table, rows: lite })
      }
      // The demo really filled it: people, published flows with their suites, an audit trail.
      const audit = sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_log').get()!.n
      expect(audit).toBeGreaterThan(20)
      // Stored text, sealed values included, arrives unchanged (json keeps the text it was given).
      const texts = [
        ['flows', 'id', 'suites'],
        ['flow_versions', "flow_id || ':' || revision", 'document'],
        ['settings', 'key', 'value'],
        ['audit_log', 'seq', 'record'],
        ['users', 'id', 'flow_roles'],
        // Every demo queue has a PHI clearance set (demo-seed.ts), so each row carries one across.
        ['queues', 'name', 'phi'],
      ] as const
      for (const [table, key, column] of texts) {
        const lite = sqlite
          .prepare<[], { k: string; v: string }>(`SELECT ${key} AS k, ${column} AS v FROM ${table}`)
          .all()
        const copied = await client.query<{ k: string; v: string }>(
          `SELECT (${key})::text AS k, ${column}::text AS v FROM ${table}`,
        )
        expect(lite.length).toBeGreaterThan(0)
        expect(byKey(copied.rows)).toEqual(byKey(lite))
      }
      expect(lite(sqlite, 'SELECT count(*) AS n FROM flows WHERE suites LIKE \'%"sealed"%\'')).toBeGreaterThan(0)
    } finally {
      sqlite.close()
    }
  })

  it('rolls back a copy that fails half-way, leaving the target empty', async () => {
    // A value PostgreSQL refuses (a settings value that is not JSON): audit_log and flows are copied before it.
    const damaged = mkdtempSync(join(tmpdir(), 'carepath-copy-damaged-'))
    const fresh = await testPostgres!.createDatabase('copy_rollback')
    try {
      cpSync(dir, damaged, { recursive: true })
      const sqlite = new Database(join(damaged, 'carepath.db'))
      sqlite.prepare("INSERT INTO settings (key, value) VALUES ('zz.damaged', 'not json')").run()
      sqlite.close()
      const result = await carepathDb(['copy', '--from', damaged, '--to', fresh.url])
      expect(result).toEqual({
        refused: expect.stringMatching(
          /^The copy failed and was rolled back, leaving postgres:.* empty: invalid input syntax for type json/,
        ),
      })
      const check = new pg.Client(connectionConfig(fresh.url))
      await check.connect()
      try {
        const rows = await check.query<{ n: string }>(
          'SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM flows) AS n',
        )
        expect(rows.rows).toEqual([{ n: '0' }])
      } finally {
        await check.end()
      }
    } finally {
      await fresh.drop()
      rmSync(damaged, { recursive: true, force: true })
    }
  })

  it('refuses a database that already holds rows, and changes nothing', async () => {
    const before = await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')
    const again = await carepathDb(['copy', '--from', dir, '--to', target.url])
    expect(again).toEqual({
      refused: expect.stringMatching(
        /^The target database is not empty \(.*audit_log.*\); db copy only fills an empty database, so nothing was copied\.$/,
      ),
    })
    const after = await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')
    expect(after.rows).toEqual(before.rows)
  })
})

/** Rows as [key, text] pairs in one order, whichever database sorted them. */
const byKey = (rows: { k: unknown; v: string }[]) =>
  rows.map((r): [string, string] => [String(r.k), r.v]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

function lite(db: Database.Database, query: string): number {
  return db.prepare<[], { n: number }>(query).get()?.n ?? 0
}
