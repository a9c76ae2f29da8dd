// Opening a PostgreSQL database: node-postgres pool + drizzle, the committed pg migrations applied
// under an advisory lock (several runtime processes may start at once against one database). A
// bad URL or a server that cannot be reached becomes one plain sentence, never a stack trace.
import { userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import * as pgSchema from './schema.pg.ts'
import { checkDatabaseUrl, PgOpenError, redactUrl } from './database-url.ts'

export type PgDb = NodePgDatabase<typeof pgSchema> & { $client: pg.Pool }

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '../../drizzle-pg')

/** Held while migrating, so two processes starting together never apply the same migration twice. */
const MIGRATION_LOCK = 0x63617265 // "care"

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}

/** What went wrong connecting, in a sentence (node-postgres and libpq codes mapped to their meaning). */
export function connectFailure(url: string, error: unknown): PgOpenError {
  const where = redactUrl(url)
  const code = errorCode(error)
  const detail = error instanceof Error ? error.message : String(error)
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOENT':
      return new PgOpenError('unreachable', `No PostgreSQL server answers at ${where}: is it running?`)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new PgOpenError('unreachable', `The host of ${where} cannot be found.`)
    case 'ETIMEDOUT':
      return new PgOpenError('unreachable', `The PostgreSQL server at ${where} did not answer in time.`)
    case '28P01':
    case '28000':
      return new PgOpenError('refused', `The PostgreSQL server at ${where} refused the log-in: ${detail}.`)
    case '3D000':
      return new PgOpenError('refused', `${detail} at ${where}: create it first (createdb).`)
    default:
      if (/timeout/i.test(detail))
        return new PgOpenError('unreachable', `The PostgreSQL server at ${where} did not answer in time.`)
      return new PgOpenError('unreachable', `Cannot connect to ${where}: ${detail}.`)
  }
}

/**
 * node-postgres settings for `url`. A URL naming no user means the operating-system user, as psql
 * and libpq take it (node-postgres would read $USER, which a service or container may not set).
 */
export function connectionConfig(url: string): pg.ClientConfig {
  const parsed = new URL(url)
  if (parsed.username || parsed.searchParams.has('user') || process.env['PGUSER'] || process.env['USER'])
    return { connectionString: url }
  // A query parameter, since node-postgres lets the URL's (empty) user override a `user` setting.
  parsed.searchParams.set('user', userInfo().username)
  return { connectionString: parsed.toString() }
}

export interface OpenPgOptions {
  /** Apply the committed migrations (default true). */
  migrate?: boolean
  /** Connections in the pool (default 10). */
  max?: number
  /** How long to wait for a connection (ms, default 10 s). */
  connectTimeoutMs?: number
  /** How values are read back (the store reads json as text and bigint as numbers). */
  types?: pg.CustomTypesConfig
}

/** Open a pool on `url`, check the server answers, apply the migrations. */
export async function openPg(url: string, options: OpenPgOptions = {}): Promise<PgDb> {
  checkDatabaseUrl(url)
  const pool = new pg.Pool({
    ...connectionConfig(url),
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // Statements made together on one connection (a transaction's batches as it commits) go out
    // back to back and are answered in order, instead of one round trip each.
    pipeline: true,
    ...(options.types ? { types: options.types } : {}),
  })
  // An idle connection the server drops (a restart) must not crash the process: the pool opens a
  // new one at the next checkout, and a query on a lost connection fails to its caller.
  pool.on('error', () => undefined)
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    await pool.end()
    throw connectFailure(url, error)
  }
  try {
    if (options.migrate !== false) await migrateUnderLock(client)
  } catch (error) {
    client.release()
    await pool.end()
    throw new PgOpenError(
      'migration-failed',
      `The migrations could not be applied to ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  client.release()
  return drizzle(pool, { schema: pgSchema })
}

async function migrateUnderLock(client: pg.PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
  try {
    await migrate(drizzle(client), { migrationsFolder })
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
  }
}
