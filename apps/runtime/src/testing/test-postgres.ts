// Where the PostgreSQL tests find a server: CAREPATH_TEST_DATABASE_URL when set, else the local
// cluster over its socket. Each test makes a database of its own (a unique name) and drops it
// after, so engineers and CI jobs sharing one server never see each other's rows. When no server
// answers, the PostgreSQL tests are skipped (`describe.skipIf(!testPostgres)`) and the test
// summary (scripts/test-all.mjs) says how many did not run. Their files end in `.pg.test.ts`.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { connectionConfig } from '../db/open-pg.ts'

/** The local cluster over its Unix socket (Debian's default), as the user running the tests. */
export const LOCAL_POSTGRES_URL = 'postgres:///postgres?host=/var/run/postgresql'

/** The server the PostgreSQL tests use: the environment's, else the local one. */
export function testServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env['CAREPATH_TEST_DATABASE_URL'] || LOCAL_POSTGRES_URL
}

/** The same server, database `name`. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${name}`
  return parsed.toString()
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ ...connectionConfig(url), connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

export interface TestPostgres {
  /** The server's URL (its maintenance database). */
  serverUrl: string
  /**
   * A new database with a unique name, empty or a copy of `template` (a database nobody is
   * connected to); `drop` removes it (and any connection left to it).
   */
  createDatabase(label: string, template?: string): Promise<{ url: string; name: string; drop(): Promise<void> }>
  /** Drops every database of the test run `tag` names (what a run's crashed or unfinished tests left). */
  dropRun(tag: string): Promise<number>
}

/** The environment variable naming the current test run (set by testing/test-scratch.ts). */
export const TEST_RUN_TAG = 'CAREPATH_TEST_RUN'

const databasePrefix = (tag: string | undefined) => `carepath_test_${tag ? `${tag}_` : ''}`

/** The reachable server, or undefined when none answers (the PostgreSQL tests are then skipped). */
export async function findTestPostgres(env: NodeJS.ProcessEnv = process.env): Promise<TestPostgres | undefined> {
  const serverUrl = testServerUrl(env)
  if (!(await answers(serverUrl))) return undefined
  async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client(connectionConfig(serverUrl))
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.end()
    }
  }
  return {
    serverUrl,
    async createDatabase(label, template) {
      const name = `${databasePrefix(env[TEST_RUN_TAG])}${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`
      await admin((client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`))
      return {
        name,
        url: withDatabase(serverUrl, name),
        drop: () =>
          admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
      }
    },
    dropRun: (tag) =>
      admin(async (client) => {
        const prefix = databasePrefix(tag).replace(/_/g, '\\_')
        const { rows } = await client.query<{ datname: string }>(
          'SELECT datname FROM pg_database WHERE datname LIKE $1',
          [`${prefix}%`],
        )
        for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
        return rows.length
      }),
  }
}
