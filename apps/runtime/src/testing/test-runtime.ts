// A runtime on a temp-file database with one logged-in caller per role (router tests, createCaller).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'vitest'
import type { ConnectorAdapter, NodeRegistry } from '@carepath/dsl'
import { USER_ROLES, type UserRole } from '../db/schema.ts'
import type { LoginResult } from '../auth/auth.service.ts'
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.ts'
import { appRouter } from '../trpc/routers/_app.ts'
import { createCallerFactory } from '../trpc/trpc.ts'
import { testRegistry } from './test-registry.ts'
import { findTestPostgres } from './test-postgres.ts'

export const TEST_PASSWORD = 'correct horse battery staple'
const createCaller = createCallerFactory(appRouter)
export type Caller = ReturnType<typeof createCaller>

export interface TestRuntime {
  runtime: Runtime
  dir: string
  /** A caller for a token (or none). */
  caller(token?: string): Caller
  /** A logged-in caller per role, plus `reviewer2` (a second reviewer) and `agent` working `front-desk`. */
  as: Record<UserRole | 'reviewer2', Caller>
  tokens: Record<UserRole | 'reviewer2', string>
  /** Move the injected clock forward. */
  advance(ms: number): void
  close(): Promise<void>
}

const START = Date.parse('2026-03-01T09:00:00.000Z')
const names = [...USER_ROLES, 'reviewer2'] as const
type Name = (typeof names)[number]

// Users and sessions are made once per test process (scrypt is slow on purpose) in a template
// database; every test runtime starts from a copy of it (on PostgreSQL, CREATE DATABASE … TEMPLATE).
interface Template {
  /** The SQLite file, or the PostgreSQL database's name. */
  file: string
  /** The directory holding the key file and audit anchor. */
  dir: string
  tokens: Record<Name, string>
}
let template: Promise<Template> | undefined
let pgTemplate: Promise<Template> | undefined
function userTemplate(): Promise<Template> {
  template ??= makeTemplate()
  return template
}
async function makeTemplate(postgres?: { url: string; name: string }): Promise<Template> {
  const dir = mkdtempSync(join(tmpdir(), 'carepath-template-'))
  const file = join(dir, 'carepath.db')
  const runtime = await createRuntime({
    dbFile: file,
    ...(postgres ? { database: postgres.url } : {}),
    now: () => new Date(START),
    registry: testRegistry,
    connectors: {},
  })
  const tokens = {} as Record<Name, string>
  for (const name of names) {
    const role: UserRole = name === 'reviewer2' ? 'reviewer' : name
    await runtime.auth.addUser(
      { username: name, password: TEST_PASSWORD, role, flowRoles: role === 'agent' ? ['front-desk'] : [] },
      { who: 'test', role: 'system' },
    )
  }
  // The fixture's people log in with a password alone, as the demo's do; MFA tests make their own.
  await passwordOnly(runtime, [...names])
  for (const name of names) tokens[name] = sessionToken(await runtime.auth.login(name, TEST_PASSWORD))
  await runtime.close()
  return { file: postgres?.name ?? file, dir, tokens }
}

/** Let these people log in with a password alone (the MFA policy's exemption list, as `serve --demo` uses it). */
export async function passwordOnly(runtime: Runtime, usernames: string[]): Promise<void> {
  await runtime.mfa.exempt(usernames, { who: 'test', role: 'system' })
}

/** The session token of a log-in that needed no second step (fails the test otherwise). */
export function sessionToken(result: LoginResult): string {
  if (result.status !== 'ok') throw new Error(`the log-in asked for a second step (${result.status})`)
  return result.token
}

export async function createTestRuntime(
  options: Partial<RuntimeOptions> & {
    registry?: NodeRegistry
    connectors?: Record<string, ConnectorAdapter>
    /** On a database of its own on the test PostgreSQL server, instead of a SQLite file. */
    postgres?: boolean
  } = {},
): Promise<TestRuntime> {
  const { postgres: onPostgres, ...runtimeOptions } = options
  const database = onPostgres ? await postgresCopy() : undefined
  const { dir: templateDir, tokens } = database ? await pgTemplateOf() : await userTemplate()
  const dir = mkdtempSync(join(tmpdir(), 'carepath-runtime-'))
  // The database with its key file and audit anchor, which live beside it.
  for (const name of [...(database ? [] : ['carepath.db']), 'carepath.keys.json', 'audit-anchor.jsonl'])
    copyFileSync(join(templateDir, name), join(dir, name))
  let clock = START
  const runtime = await createRuntime({
    dbFile: join(dir, 'carepath.db'),
    ...(database ? { database: database.url, databasePoolSize: 4 } : {}),
    now: () => new Date(clock),
    registry: testRegistry,
    connectors: {},
    // Connector retries wait on nothing in tests (the engine records each wait all the same).
    sleep: async () => {},
    ...runtimeOptions,
  })
  // A fresh context per call (authenticated as over HTTP), so an expired or revoked session is noticed.
  const caller = (token?: string) =>
    createCaller(async () => ({
      runtime,
      token,
      principal: token ? await runtime.auth.authenticate(token) : undefined,
    }))
  const as = {} as Record<Name, Caller>
  for (const name of names) {
    const token = tokens[name]
    // A fresh context per call, so an expired or revoked session is noticed like over HTTP.
    as[name] = new Proxy({} as Caller, {
      get: (_t, key) => Reflect.get(caller(token), key),
    })
  }
  return {
    runtime,
    dir,
    caller,
    as,
    tokens,
    advance: (ms) => {
      clock += ms
    },
    close: async () => {
      await runtime.close()
      await database?.drop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const testPostgres = await findTestPostgres()

function pgTemplateOf(): Promise<Template> {
  pgTemplate ??= (async () => {
    if (!testPostgres) throw new Error('No PostgreSQL server is reachable for the tests.')
    return makeTemplate(await testPostgres.createDatabase('template'))
  })()
  return pgTemplate
}

async function postgresCopy() {
  if (!testPostgres) throw new Error('No PostgreSQL server is reachable for the tests.')
  const { file: templateName } = await pgTemplateOf()
  return testPostgres.createDatabase('runtime', templateName)
}

/**
 * `body` declared as one suite per database: "TITLE on SQLite" and "TITLE on PostgreSQL" (skipped,
 * and counted as not run, when no server answers). `open` makes the suite's test runtimes.
 */
export function describeOnEachRuntime(
  title: string,
  body: (open: (options?: Parameters<typeof createTestRuntime>[0]) => Promise<TestRuntime>) => void,
): void {
  describe(`${title} on SQLite`, () => body((options) => createTestRuntime(options)))
  describe.skipIf(!testPostgres)(`${title} on PostgreSQL`, () =>
    body((options) => createTestRuntime({ ...options, postgres: true })),
  )
}

/**
 * Create, submit, approve and publish the intake flow (or another document); returns its hash.
 * `overrideReason` lets failing test cases through (a suite that fails on purpose).
 */
export async function publishFlow(
  t: TestRuntime,
  document: object,
  suites: object[] = [],
  overrideReason?: string,
): Promise<string> {
  const id = (document as { id: string }).id
  const { hash } = await t.as.analyst.flows.create({
    document: document as Record<string, unknown>,
    suites: suites as Record<string, unknown>[],
  })
  await t.as.analyst.review.submit({ id })
  await t.as.reviewer.review.approve({ id, hash, comment: 'ok' })
  if (overrideReason) await t.as.reviewer.review.override({ id, hash, reason: overrideReason })
  await t.as.reviewer.review.publish({ id, hash })
  return hash
}
