import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findTestPostgres } from '../testing/test-postgres.ts'
import { checkDatabaseUrl, databaseUrlFrom, PgOpenError } from './database-url.ts'
import { openPg, type PgDb } from './open-pg.ts'

const testPostgres = await findTestPostgres()

describe('database URLs', () => {
  it('refuses what is not a PostgreSQL URL, in a sentence, before connecting', () => {
    expect(() => checkDatabaseUrl('not a url')).toThrow(/is not a database URL; write it as postgres:\/\//)
    expect(() => checkDatabaseUrl('mysql://u:secret@h/db')).toThrow('mysql://u:***@h/db is not a PostgreSQL URL')
    expect(databaseUrlFrom(undefined, {})).toBeUndefined()
    expect(databaseUrlFrom(undefined, { CAREPATH_DATABASE_URL: 'postgres://h/db' })).toBe('postgres://h/db')
    expect(databaseUrlFrom('postgresql://a/b', { CAREPATH_DATABASE_URL: 'postgres://h/db' })).toBe('postgresql://a/b')
  })

  it('says plainly when no server answers, with the password masked', async () => {
    // Port 1 on the loopback: nothing listens there, the refusal is immediate.
    const failure = await openPg('postgres://carepath:secret@127.0.0.1:1/carepath').catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(PgOpenError)
    expect(failure).toMatchObject({
      code: 'unreachable',
      message: 'No PostgreSQL server answers at postgres://carepath:***@127.0.0.1:1/carepath: is it running?',
    })
  })
})

describe.skipIf(!testPostgres)('a PostgreSQL database', () => {
  let db: PgDb
  let drop: () => Promise<void>
  beforeAll(async () => {
    const created = await testPostgres!.createDatabase('open')
    drop = created.drop
    // Two processes starting together: the advisory lock lets one migrate and the other find it done.
    const [a, b] = await Promise.all([openPg(created.url), openPg(created.url)])
    await b.$client.end()
    db = a
  })
  afterAll(async () => {
    await db?.$client.end()
    await drop?.()
  })

  it('has every table and each migration applied once', async () => {
    const tables = await db.$client.query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
    )
    expect(Number(tables.rows[0]?.n)).toBeGreaterThanOrEqual(32)
    const applied = await db.$client.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations')
    // One row per migration file: none skipped, none run twice by the two processes.
    const files = readdirSync(new URL('../../drizzle-pg/', import.meta.url)).filter((f) => f.endsWith('.sql'))
    expect(Number(applied.rows[0]?.n)).toBe(files.length)
  })

  it('refuses to change or remove an audit record, a run event or a saved version', async () => {
    const c = db.$client
    await c.query(`INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (1, 'a', '{}', 'p', 'h')`)
    await expect(c.query(`UPDATE audit_log SET record = '{"x":1}'`)).rejects.toThrow('the audit log is append-only')
    await expect(c.query('DELETE FROM audit_log')).rejects.toThrow('the audit log is append-only')
    await expect(c.query('TRUNCATE audit_log')).rejects.toThrow('the audit log is append-only')
    await c.query(`INSERT INTO run_events (run_id, first_seq, last_seq, version, events) VALUES ('r', 1, 1, 1, '[]')`)
    await expect(c.query('UPDATE run_events SET version = 2')).rejects.toThrow('the run event log is append-only')
    await expect(c.query('DELETE FROM run_events')).rejects.toThrow('the run event log is append-only')
    await c.query(
      `INSERT INTO flows (id, title, status, draft_revision, draft_hash, draft_author, updated_at, updated_by) VALUES ('f', 't', 'draft', 1, 'h', 'a', 'now', 'a')`,
    )
    await c.query(
      `INSERT INTO flow_versions (flow_id, revision, hash, document, author, status, created_at) VALUES ('f', 1, 'h', '{"id":"f"}', 'a', 'draft', 'now')`,
    )
    await expect(c.query(`UPDATE flow_versions SET document = '{"id":"g"}'`)).rejects.toThrow(
      'a saved flow version is immutable',
    )
    // A revision saved before document hashes were stored gets one once; after that it is fixed.
    await c.query(`UPDATE flow_versions SET document_hash = 'd1'`)
    await expect(c.query(`UPDATE flow_versions SET document_hash = 'd2'`)).rejects.toThrow(
      'a saved flow version is immutable',
    )
    await c.query(`UPDATE flow_versions SET status = 'published'`)
    const kept = await c.query<{ record: string; document: unknown; status: string; document_hash: string }>(
      'SELECT record, document, status, document_hash FROM audit_log, flow_versions',
    )
    expect(kept.rows).toEqual([{ record: '{}', document: { id: 'f' }, status: 'published', document_hash: 'd1' }])
  })
})
