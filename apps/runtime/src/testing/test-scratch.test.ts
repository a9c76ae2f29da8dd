import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connectionConfig } from '../db/open-pg.ts'
import { findTestPostgres, TEST_RUN_TAG } from './test-postgres.ts'
import scratchSpace from './test-scratch.ts'

const testPostgres = await findTestPostgres()
let saved: { tmp: string | undefined; tag: string | undefined }
beforeEach(() => {
  saved = { tmp: process.env['TMPDIR'], tag: process.env[TEST_RUN_TAG] }
})
afterEach(() => {
  for (const [name, value] of [
    ['TMPDIR', saved.tmp],
    [TEST_RUN_TAG, saved.tag],
  ] as const)
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
})

describe("a test run's scratch space", () => {
  it('is the temporary directory while the run lasts, and is gone, with what was left in it, after', async () => {
    const before = tmpdir()
    const removeAll = scratchSpace()
    const scratch = tmpdir()
    expect(scratch).not.toBe(before)
    const leftover = mkdtempSync(join(scratch, 'carepath-template-'))
    writeFileSync(join(leftover, 'carepath.db'), 'a test process left this')
    await removeAll()
    expect(existsSync(scratch)).toBe(false)
  })
})

describe.skipIf(!testPostgres)("a test run's scratch space on PostgreSQL", () => {
  it("drops the run's databases at its end, and no one else's", async () => {
    const server = testPostgres!
    const others = await server.createDatabase('other-run')
    const removeAll = scratchSpace()
    const tag = process.env[TEST_RUN_TAG]!
    // Made the way test processes make theirs: named with the run's tag, and never dropped.
    const ours = await (await findTestPostgres())!.createDatabase('template')
    expect(ours.name).toContain(`_${tag}_`)
    await removeAll()
    const client = new pg.Client(connectionConfig(server.serverUrl))
    await client.connect()
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database')
    await client.end()
    const left = rows.map((r) => r.datname)
    expect(left).not.toContain(ours.name)
    expect(left).toContain(others.name)
    await others.drop()
  })
})
